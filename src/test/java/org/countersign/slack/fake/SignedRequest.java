package org.countersign.slack.fake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

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
      keepReply(response);
      return new HttpReply(response.statusCode(), response.body(), response.headers().map());
    } catch (IOException e) {
      throw new UncheckedIOException("POST " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while POSTing to " + url, e);
    }
  }

  // What the app answered with, when Slack would show it: a slash command's reply, a form's response_action.
  private void keepReply(HttpResponse<String> response) {
    String reply = response.body();
    if (System.getProperty(PayloadLog.PROPERTY) == null || response.statusCode() != 200 || reply == null
        || !reply.strip().startsWith("{")) {
      return;
    }
    JsonNode answer;
    try {
      answer = Payloads.JSON.readTree(reply);
    } catch (JsonProcessingException e) {
      return; // not JSON: Slack shows nothing of it, and the test that sent it sees it
    }
    Map<String, String> form = Payloads.parseForm(body);
    if (form.containsKey("command")) {
      PayloadLog.record(PayloadLog.Kind.COMMAND_REPLY, form.get("command"), answer);
    } else if (form.containsKey("payload")) {
      try {
        String type = Payloads.JSON.readTree(form.get("payload")).path("type").asText();
        if (type.equals("view_submission")) {
          PayloadLog.record(PayloadLog.Kind.VIEW_SUBMISSION_REPLY, type, answer);
        }
      } catch (JsonProcessingException e) {
        // a test's deliberately broken payload: nothing Slack would show
      }
    }
  }

  /** POSTs it to {@code url}. */
  public HttpReply sendTo(String url) {
    return sendTo(URI.create(url));
  }
}
