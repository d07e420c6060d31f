package org.countersign.cli;

import java.security.PublicKey;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --keys URL|FILE}: the public keys a receipt or an audit export is checked against. */
final class KeysOption {
    @Option(names = "--keys", paramLabel = "URL|FILE",
            description = "The trusted keys, a JWKS (default: the service's /.well-known/countersign/keys)")
    String keys;

    /** The keys named, else the service's published ones. */
    Map<String, PublicKey> load(ServerOptions server, Map<String, String> env) {
        return TrustedKeys.load(keys, keys == null ? server.base(env) : null);
    }
}
