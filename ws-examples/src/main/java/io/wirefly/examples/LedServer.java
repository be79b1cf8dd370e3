package io.wirefly.examples;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.Led;
import io.wirefly.hal.Pull;
import io.wirefly.server.HttpResponse;
import io.wirefly.server.WebSocketServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The seed's LED board: the page at {@code /}, the WebSocket at {@code /led}. Text commands ON, OFF, TOGGLE and
 * STATUS (any case); every change of the LED is pushed to every page as {@code LED ON} / {@code LED OFF}. GPIO calls
 * may block, so handlers run on a single-thread executor, never on an event loop.
 */
public final class LedServer implements WebSocketHandler, AutoCloseable {
    private final Hal hal;
    private final Led led;
    private final ExecutorService gpio = Executors.newSingleThreadExecutor(r -> new Thread(r, "gpio"));
    private final WebSocketServer server;

    static int run(String[] argv) throws InterruptedException {
        Set<String> options = new java.util.HashSet<>(Set.of("--port", "--hal", "--led-pin", "--button-pin",
                GracefulStop.OPTION));
        options.addAll(ExampleTls.OPTIONS);
        Set<String> switches = new java.util.HashSet<>(Set.of("--active-low"));
        switches.addAll(ExampleTls.SWITCHES);
        Args args = new Args(argv, options, switches);
        ExampleTls tls = ExampleTls.from(args);
        String provider = args.get("--hal", "simulated");
        if (!provider.equals("simulated") && !provider.equals("pi4j")) {
            throw new Args.UsageException("--hal must be simulated or pi4j, was " + provider);
        }
        HalConfig.Builder config = HalConfig.builder().provider(provider)
                .output("led", args.intValue("--led-pin", 17, 0, 27), pin -> pin.activeLow(args.has("--active-low")));
        if (args.has("--button-pin")) {
            config.input("button", args.intValue("--button-pin", 27, 0, 27),
                    pin -> pin.pull(Pull.UP).activeLow(true).debounce(Duration.ofMillis(20)));
        }
        LedServer demo = new LedServer(Hal.open(config.build()), args.intValue("--port", 9998, 0, 65535), tls);
        ExampleTls.watch(tls, demo.server);
        // SIGTERM: 1001 to every page, then the board's shutdown state (close() finds the server already stopped)
        GracefulStop.install(demo.server, GracefulStop.timeout(args), demo::close);
        System.out.println("LED demo on " + ExampleTls.urls(tls, "http", demo.port(), "/")
                + " (hal: " + provider + ")");
        GracefulStop.awaitSignal();
        return 0;
    }

    /**
     * @param hal a HAL with an output named {@code led} and optionally an input named {@code button}
     * @param port the port, 0 for any
     */
    public LedServer(Hal hal, int port) {
        this(hal, port, null);
    }

    LedServer(Hal hal, int port, ExampleTls tls) {
        this.hal = hal;
        this.led = hal.led("led");
        byte[] page = page();
        this.server = ExampleTls.apply(tls, WebSocketServer.builder().port(port).executor(gpio).route("/led", this)
                .http(request -> request.path().equals("/") || request.path().equals("/index.html")
                        ? HttpResponse.of(200, "text/html; charset=utf-8", page) : null))
                .build().start();
        led.onChange(event -> server.broadcast(status()));
        if (hal.config().pin("button").isPresent()) {
            hal.input("button").onChange(event -> {
                if (event.active()) {
                    gpio.execute(led::toggle);   // a press toggles the LED; the change reaches every page
                }
            });
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return server.port();
    }

    @Override
    public void onOpen(WebSocket ws) {
        ws.sendText(status());
    }

    @Override
    public void onText(WebSocket ws, String text) {
        String command = text.strip().toUpperCase(Locale.ROOT);
        boolean before = led.isOn();
        switch (command) {
            case "ON" -> led.on();
            case "OFF" -> led.off();
            case "TOGGLE" -> led.toggle();
            case "STATUS" -> {
                ws.sendText(status());
                return;
            }
            default -> {
                ws.sendText("unknown command '" + text.strip() + "': use ON, OFF, TOGGLE or STATUS");
                return;
            }
        }
        if (led.isOn() == before) {
            ws.sendText(status());   // no change, so no broadcast: answer the sender
        }
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        ws.close(1003, "text commands only: ON, OFF, TOGGLE, STATUS");
    }

    private String status() {
        return led.isOn() ? "LED ON" : "LED OFF";
    }

    private static byte[] page() {
        try (InputStream in = LedServer.class.getResourceAsStream("/led/index.html")) {
            if (in == null) {
                throw new IllegalStateException("led/index.html is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server, then restores the board's shutdown state. */
    @Override
    public void close() {
        server.stop(Duration.ofSeconds(2));
        gpio.shutdown();
        hal.close();
    }
}
