package org.countersign.github;

import java.net.URI;

/**
 * One workflow run waiting on a request: where to answer (the rule's callback on the API), for which environment,
 * as which installation. Several runs (a re-run, another workflow) may wait on one request.
 */
record Link(String repo, String environment, String sha, long runId, URI callback, long installation) {
    /** This link's name among the request's links, for remembering that it was answered. */
    String key() { return runId + ":" + environment; }
}
