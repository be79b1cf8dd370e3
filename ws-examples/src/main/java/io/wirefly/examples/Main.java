package io.wirefly.examples;

import java.util.Arrays;

/**
 * The examples' launcher: {@code java -jar ws-examples.jar <echo|led|chat|client> [options]}.
 * Each sub-command has {@code --help}; a bad command line prints a one-line error and the usage, and exits with 2.
 */
public final class Main {
    static final String USAGE = """
            usage: java -jar ws-examples.jar <command> [options]
              echo    [--port N] [--max-message-size BYTES]       echo server (permessage-deflate on)
              led     [--port N] [--hal simulated|pi4j] [--led-pin BCM] [--active-low] [--button-pin BCM]
                                                                  LED server with its browser page
              chat    [--port N] [--private-rooms A,B]            chat rooms on /chat/{room}?nick=NAME (/nick NAME renames)
                      [--cluster nats://HOST:PORT|redis://HOST:PORT]
                                                                  share the rooms with other chat processes
              client  URL [--binary] [--subprotocol NAME]         terminal client: stdin lines out, messages in
                      [--trust PEM]                               wss:// trusting these certificates only
            every server takes --port N (default 9998; 0 picks a free port and prints it) and --stop-timeout SECONDS
            (default 5): on SIGTERM it sends 1001 to every connection after what is queued, waits that long, exits;
            and --tls-cert FILE --tls-key FILE (PEM, reloaded when they change) for wss:// (https:// for the LED
            page), with --same-port to keep plain ws:// working on that port too""";

    private Main() {
    }

    /**
     * @param args the sub-command and its options
     * @throws Exception if the example fails to start
     */
    public static void main(String[] args) throws Exception {
        int status = run(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help")) {
            System.out.println(USAGE);
            return 0;
        }
        try {
            return switch (args[0]) {
                case "echo" -> EchoServer.run(rest);
                case "led" -> LedServer.run(rest);
                case "chat" -> ChatServer.run(rest);
                case "client" -> WsClient.run(rest);
                default -> throw new Args.UsageException("unknown command " + args[0]);
            };
        } catch (Args.UsageException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            return 2;
        }
    }
}
