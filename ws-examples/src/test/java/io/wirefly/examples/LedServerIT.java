package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.sim.SimulatedHal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The LED demo on a simulated board, driven by two independent clients. */
class LedServerIT {

    @Test
    void commandsSwitchTheSimulatedLedAndEveryPageHearsOfIt() throws Exception {
        SimulatedHal hal = SimulatedHal.open(HalConfig.builder().output("led", 17).build());
        try (LedServer demo = new LedServer(hal, 0)) {
            String url = "ws://127.0.0.1:" + demo.port() + "/led";
            Peer a = Peer.connect(url);
            Peer b = Peer.connect(url);
            assertEquals("LED OFF", a.next());
            assertEquals("LED OFF", b.next());

            a.send("  on ");
            assertEquals("LED ON", a.next());
            assertEquals("LED ON", b.next(), "the other page is kept in sync");
            assertTrue(hal.output("led").isHigh(), "the simulated pin went high");

            b.send("TOGGLE");
            assertEquals("LED OFF", a.next());
            assertEquals("LED OFF", b.next());
            a.send("status");
            assertEquals("LED OFF", a.next());

            a.send("hello");
            assertEquals("unknown command 'hello': use ON, OFF, TOGGLE or STATUS", a.next());
            a.ws.sendBinary(ByteBuffer.wrap(new byte[] {1}), true).get(5, TimeUnit.SECONDS);
            assertEquals(1003, a.closed.get(10, TimeUnit.SECONDS));
            b.send("OFF");
            assertEquals("LED OFF", b.next(), "no change: the sender still gets the state");
        }
    }

    @Test
    void thePageIsServedOnTheSamePort() throws Exception {
        SimulatedHal hal = SimulatedHal.open(HalConfig.builder().output("led", 17).build());
        try (LedServer demo = new LedServer(hal, 0)) {
            var response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + demo.port() + "/")).build(), BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("WebSocket 在线测试"));
            assertTrue(response.body().contains("id=\"led\""));
        }
    }
}
