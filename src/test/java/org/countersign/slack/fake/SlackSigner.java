package org.countersign.slack.fake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs requests the way Slack signs what it sends an app (docs.slack.dev, "Verifying requests from
 * Slack"): {@code X-Slack-Signature: v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))}
 * and {@code X-Slack-Request-Timestamp}, in epoch seconds.
 */
public final class SlackSigner {

  static final String FORM = "application/x-www-form-urlencoded";

  private final byte[] signingSecret;
  private final Clock clock;

  /** Signs with {@code signingSecret}, timestamps from the system clock. */
  public SlackSigner(String signingSecret) {
    this(signingSecret, Clock.systemUTC());
  }

  public SlackSigner(String signingSecret, Clock clock) {
    if (signingSecret == null || signingSecret.isBlank()) {
      throw new IllegalArgumentException("signing secret is blank");
    }
    this.signingSecret = signingSecret.getBytes(StandardCharsets.UTF_8);
    this.clock = clock;
  }

  /** The {@code X-Slack-Signature} value for this timestamp and body: "v0=" and 64 hex digits. */
  public String signature(String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(signingSecret, "HmacSHA256"));
      byte[] digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
      return "v0=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** Signs {@code body} as sent now. */
  public SignedRequest sign(String contentType, String body) {
    return signAt(clock.instant(), contentType, body);
  }

  /** Signs {@code body} as sent at {@code at}: an old {@code at} makes a correctly signed stale request. */
  public SignedRequest signAt(Instant at, String contentType, String body) {
    String timestamp = String.valueOf(at.getEpochSecond());
    return new SignedRequest(contentType, body, timestamp, signature(timestamp, body));
  }

  /** A slash command POST, as Slack sends it to the command's Request URL. */
  public SignedRequest slashCommand(SlashCommand command) {
    return sign(FORM, command.formBody());
  }

  /** A {@code block_actions} interaction POST: form field {@code payload} holding the JSON. */
  public SignedRequest blockAction(BlockAction action) {
    return sign(FORM, action.formBody(clock.instant()));
  }

  /** A {@code view_submission} interaction POST: form field {@code payload} holding the JSON. */
  public SignedRequest viewSubmission(ViewSubmission submission) {
    return sign(FORM, submission.formBody());
  }
}
