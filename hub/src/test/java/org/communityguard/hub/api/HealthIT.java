package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.FaultProxy;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Liveness and readiness are two questions: the process answers (restart it if not), and the hub
 * can store readings (send it no traffic if not). With its database unreachable the hub is alive
 * and not ready; when the database is back it is ready again. The hub reaches PostgreSQL through a
 * {@link FaultProxy}, whose dead path stands for a database that stopped answering.
 */
@ExtendWith(RealServers.class)
class HealthIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theHubStaysAliveButIsNotReadyWhileItsDatabaseIsUnreachable(TimescaleDb timescale) throws Exception {
        Database db = timescale.createDatabase();
        try (FaultProxy proxy = FaultProxy.to(timescale.host(), timescale.port());
             Hub hub = HubFixture.start(db, Map.of(
                     "HUB_DB_URL", "jdbc:postgresql://" + proxy.host() + ":" + proxy.port() + "/" + db.name()))) {
            try {
                assertThat(status(hub, "/api/health/live")).isEqualTo(200);
                assertThat(status(hub, "/api/health/ready")).isEqualTo(200);
                assertThat(status(hub, "/api/health")).as("the alias of ready").isEqualTo(200);

                proxy.blackholeAll();

                await().atMost(60, TimeUnit.SECONDS).until(() -> status(hub, "/api/health/ready") == 503);
                HttpResponse<String> ready = get(hub, "/api/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(json.readTree(ready.body()).path("database").asText()).isEqualTo("down");
                assertThat(status(hub, "/api/health")).as("the alias of ready").isEqualTo(503);
                HttpResponse<String> live = get(hub, "/api/health/live");
                assertThat(live.statusCode()).as("alive while the database is away").isEqualTo(200);
                assertThat(json.readTree(live.body()).path("status").asText()).isEqualTo("ok");

                proxy.resume();

                await().atMost(60, TimeUnit.SECONDS).until(() -> status(hub, "/api/health/ready") == 200);
                assertThat(status(hub, "/api/health")).isEqualTo(200);
                assertThat(status(hub, "/api/health/live")).isEqualTo(200);
            } finally {
                proxy.resume(); // else closing the hub waits on silent connections
            }
        }
    }

    private HttpResponse<String> get(Hub hub, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(Hub hub, String path) throws Exception {
        return get(hub, path).statusCode();
    }
}
