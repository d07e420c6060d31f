package org.countersign.slack.fake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A request as Slack would POST it to the app, with its signature headers. */
public record SignedRequest(String contentType, String body, String timestamp, String signature) {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The same request with another signature: a forgery, or a signature made with the wrong secret. */
  public SignedRequest withSignature(String otherSignature) {
    return new SignedRequest(contentType, body, timestamp, otherSignature);
  }

  /** The same signature under another timestamp header, which no longer matches it. */
  public SignedRequest withTimestamp(String otherTimestamp) {
    return new SignedRequest(contentType, body, otherTimestamp, signature);
  }

  /** The same headers over another body: a request tampered with on the way. */
  public SignedRequest withBody(String otherBody) {
    return new SignedRequest(contentType, otherBody, timestamp, signature);
  }

  /** POSTs it to {@code url} with the headers Slack sends, and waits up to 10 s for the reply. */
  public HttpReply sendTo(URI url) {
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", contentType)
            .header("X-Slack-Request-Timestamp", timestamp)
            .header("X-Slack-Signature", signature)
            .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new HttpReply(response.statusCode(), response.body(), response.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while POSTing to " + url, e);
    }
  }

  /** POSTs it to {@code url}. */
  public HttpReply sendTo(String url) {
    return sendTo(URI.create(url));
  }
}
