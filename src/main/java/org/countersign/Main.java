package org.countersign;

import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import org.countersign.app.ExpirySweeper;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.domain.Policy;
import org.countersign.domain.Workflow;
import org.countersign.store.DomainJson;
import org.countersign.store.RedisConnector;
import org.countersign.store.RedisRequestStore;
import org.countersign.web.Metrics;
import org.countersign.web.WebApp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds every object from the configuration, wires them by hand and starts them. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    static final String DEFAULT_BIND_HOST = "127.0.0.1";

    private Main() {}

    public static void main(String[] args) {
        Running running;
        try {
            running = start(Config.fromEnv(System.getenv()));
        } catch (Config.Invalid | Policy.InvalidPolicy e) {
            System.err.println("Countersign cannot start.\n" + e.getMessage());
            System.exit(2);
            return;
        } catch (io.javalin.util.JavalinBindException e) {
            System.err.println("Countersign cannot start: " + e.getMessage() + " (set PORT to a free port)");
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            log.error("Countersign cannot start", e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "countersign-stop"));
    }

    /** Starts the service; close the result to stop it (and the embedded Redis, if any) cleanly. */
    public static Running start(Config config) {
        long started = System.nanoTime();
        Policy policy = config.policyFileOpt().map(PolicyFile::load).orElseGet(PolicyFile::loadDefault);
        var redis = RedisConnector.connect(config.redisUrlOpt(), config.dataDir());
        ExpirySweeper sweeper = null;
        try {
            var clock = Clock.systemUTC();
            var store = new RedisRequestStore(redis.client(), config.redisPrefix());
            var metrics = new Metrics(store::countByState);
            var service = new RequestService(store, new PolicyDirectory(policy), new Workflow(policy), clock, metrics);
            sweeper = new ExpirySweeper(store, service, clock).start(config.expirySweepInterval());
            var host = config.bindHostOpt().orElse(DEFAULT_BIND_HOST);
            var web = WebApp.create(service, store::ping, metrics, DomainJson.mapper()).start(host, config.port());
            var running = new Running(web, sweeper, redis, service);
            log.info("Countersign is ready on http://{}:{} in {} ms (state: {}; policy: {}; {} teams, {} reasons)",
                    host, web.port(), Duration.ofNanos(System.nanoTime() - started).toMillis(), redis.description(),
                    config.policyFileOpt().map(Object::toString).orElse("the packaged example"),
                    policy.teams().size(), policy.reasons().size());
            if (DEFAULT_BIND_HOST.equals(host))
                log.info("Listening on loopback only; set BIND_HOST=0.0.0.0 to accept connections from elsewhere");
            return running;
        } catch (RuntimeException e) {
            if (sweeper != null) sweeper.close();
            redis.close();
            throw e;
        }
    }

    /** A started service. */
    public static final class Running implements AutoCloseable {
        private final Javalin web;
        private final ExpirySweeper sweeper;
        private final RedisConnector redis;
        private final RequestService service;

        Running(Javalin web, ExpirySweeper sweeper, RedisConnector redis, RequestService service) {
            this.web = web;
            this.sweeper = sweeper;
            this.redis = redis;
            this.service = service;
        }

        public int port() { return web.port(); }

        public RequestService service() { return service; }

        @Override
        public synchronized void close() {
            sweeper.close();
            web.stop();
            redis.close();
            log.info("Countersign stopped");
        }
    }
}
