package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.WebSocketConfig;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketHandler#onBinaryBorrowed}: binary messages lent to the handler without a copy, against Python
 * {@code websockets}. The bytes a handler borrows are the event loop's read buffer, which the next read overwrites,
 * so every test here sends fast and checks every byte that comes back: a send that kept a lent buffer instead of
 * copying it would echo the bytes of a later message.
 */
class BorrowedBinaryIT {

    /** Sends messages of every size class, whole and fragmented, without waiting; checks each echo by hash. */
    private static final String ECHO = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    sizes = [0, 1, 125, 126, 4000, 8191, 8192, 65535, 65536, 300000] * 6",
            "    async with websockets.connect(sys.argv[1], max_size=None, compression=None) as ws:",
            "        sent = []",
            "        for i, n in enumerate(sizes):",
            "            m = os.urandom(n)",
            "            sent.append(hashlib.sha256(m).hexdigest())",
            "            if i % 3 == 2 and n >= 3:",
            "                await ws.send(iter([m[:n // 3], m[n // 3:2 * n // 3], m[2 * n // 3:]]))",
            "            else:",
            "                await ws.send(m)",
            "        good = 0",
            "        for h in sent:",
            "            echo = await asyncio.wait_for(ws.recv(), 30)",
            "            good += isinstance(echo, bytes) and hashlib.sha256(echo).hexdigest() == h",
            "        print('echoed', good, 'of', len(sent))",
            "        print('readonly', await asyncio.wait_for(ws.recv(), 30))   # the handler's count of lent views",
            "asyncio.run(main())");

    @Test
    void anEchoOfLentBuffersReturnsEveryByteOfEveryMessageSizeWholeOrFragmented() throws Exception {
        Peers.requirePythonWebsockets();
        AtomicInteger views = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                if (data.isReadOnly()) {
                    views.incrementAndGet();   // lent from the read buffer, not copied
                }
                ws.sendBinary(data);
                if (calls.incrementAndGet() == 60) {
                    ws.sendText("lent " + (views.get() > 0));
                }
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendText("onBinary was called");
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).route("/", echo).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", ECHO,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("echoed 60 of 60"), out);
            assertTrue(out.contains("readonly lent true"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Sends 40 messages of exactly 64 KiB, the size applications and benchmarks chunk bulk data into, one echo in
     * flight at a time, and checks every byte of every echo. A 64 KiB message's frame is 64 KiB plus a 14-byte
     * header, so it is lent without being assembled only if the loop's read buffer holds a whole such frame.
     */
    private static final String SIXTY_FOUR_K = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    async with websockets.connect(sys.argv[1], max_size=None, compression=None) as ws:",
            "        good = 0",
            "        for i in range(40):",
            "            m = os.urandom(65536)",
            "            await ws.send(m)",
            "            echo = await asyncio.wait_for(ws.recv(), 30)",
            "            good += echo == m",
            "        print('echoed', good, 'of 40')",
            "        await ws.send('count')",
            "        print(await asyncio.wait_for(ws.recv(), 30))",
            "asyncio.run(main())");

    @Test
    void wholeSixtyFourKibMessagesAreLentFromTheReadBufferNotAssembled() throws Exception {
        Peers.requirePythonWebsockets();
        AtomicInteger lent = new AtomicInteger();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                if (data.isReadOnly()) {
                    lent.incrementAndGet();   // a view of the read buffer; an assembled message is a buffer of its own
                }
                ws.sendBinary(data);
            }

            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText("lent " + lent.get());
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).route("/", echo).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", SIXTY_FOUR_K,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("echoed 40 of 40"), out);
            // A read may end inside a frame (loopback cuts 64 KiB frames into two segments, and the loop can wake
            // between them): that message is assembled. Most arrive whole; with a 64 KiB read buffer none can.
            int whole = Integer.parseInt(out.substring(out.indexOf("lent ") + 5).trim().split("\\s+")[0]);
            assertTrue(whole >= 10, "only " + whole + " of 40 whole 64 KiB messages were lent: " + out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * A slow reader and a fast one on the same event loop, both sending 64 KiB messages: the slow one's echoes meet
     * a socket that is nearly full, so the loop writes part of a lent message and must copy the rest before it reads
     * again, for either connection, into the same buffer. Each checks every byte of its echoes.
     */
    private static final String SLOW_AND_FAST = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def run(url, count, pause):",
            "    async with websockets.connect(url, max_size=None, compression=None, max_queue=2) as ws:",
            "        sent = []",
            "        async def send():",
            "            for i in range(count):",
            "                m = os.urandom(65536)",
            "                sent.append(hashlib.sha256(m).digest())",
            "                await ws.send(m)",
            "        sender = asyncio.ensure_future(send())",
            "        good = 0",
            "        for i in range(count):",
            "            echo = await asyncio.wait_for(ws.recv(), 30)",
            "            good += hashlib.sha256(echo).digest() == sent[i]",
            "            if pause:",
            "                await asyncio.sleep(pause)",
            "        await sender",
            "        return good",
            "async def main():",
            "    slow, fast = await asyncio.gather(run(sys.argv[1], 150, 0.003), run(sys.argv[1], 300, 0))",
            "    print('slow', slow, 'fast', fast)",
            "asyncio.run(main())");

    @Test
    void lentEchoesThatTheSocketTakesOnlyPartOfKeepTheirRestWhileTheLoopReadsOnForOthers() throws Exception {
        Peers.requirePythonWebsockets();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).route("/", echo).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", SLOW_AND_FAST,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("slow 150 fast 300"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Sends about 10 MB of messages from 8 to 16 KiB (each arrives in one read, and is large enough that a send
     * would write it from the caller's buffer) before it reads anything: the echoes queue behind the sockets' full
     * buffers, so a queued echo that kept the lent bytes would be overwritten by the reads that follow.
     */
    private static final String QUEUED_ECHO = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    sizes = [8192 + (i * 7919) % 8192 for i in range(800)]",
            "    async with websockets.connect(sys.argv[1], max_size=None, compression=None,",
            "                                  max_queue=None) as ws:",
            "        sent = []",
            "        for n in sizes:",
            "            m = os.urandom(n)",
            "            sent.append(hashlib.sha256(m).hexdigest())",
            "            await ws.send(m)",
            "        good = 0",
            "        for h in sent:",
            "            echo = await asyncio.wait_for(ws.recv(), 30)",
            "            good += hashlib.sha256(echo).hexdigest() == h",
            "        print('queued echoes', good, 'of', len(sent))",
            "asyncio.run(main())");

    @Test
    void largeEchoesQueuedBehindAPeerThatIsNotReadingKeepTheirBytes() throws Exception {
        Peers.requirePythonWebsockets();
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
        // High water marks above the 10 MB in flight, so that the server goes on reading while its echoes queue.
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).writeWaterMarks(32 << 20, 64 << 20)
                .maxWriteBuffer(128 << 20).route("/", echo).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", QUEUED_ECHO,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("queued echoes 800 of 800"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Three receivers and one sender; every message the sender sends is relayed to the receivers, most of which
     * are on the other event loop, so the relay's sends are queued for later and must not keep the lent bytes.
     */
    private static final String RELAY = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    url = sys.argv[1]",
            "    receivers = [await websockets.connect(url, max_size=None, compression=None) for _ in range(3)]",
            "    for r in receivers:",
            "        await r.send('receiver')",
            "        assert await asyncio.wait_for(r.recv(), 10) == 'ok'",
            "    sender = await websockets.connect(url, max_size=None, compression=None)",
            "    await sender.send('sender')",
            "    assert await asyncio.wait_for(sender.recv(), 10) == 'ok'",
            "    sizes = [(i * 7919) % 20000 for i in range(400)]",
            "    sent = []",
            "    for n in sizes:",
            "        m = os.urandom(n)",
            "        sent.append(hashlib.sha256(m).hexdigest())",
            "        await sender.send(m)",
            "    for k, r in enumerate(receivers):",
            "        good = 0",
            "        for h in sent:",
            "            got = await asyncio.wait_for(r.recv(), 30)",
            "            good += hashlib.sha256(got).hexdigest() == h",
            "        print('receiver', k, 'good', good)",
            "    for w in receivers + [sender]:",
            "        await w.close()",
            "asyncio.run(main())");

    @Test
    void lentBytesRelayedToConnectionsOnOtherLoopsArriveIntact() throws Exception {
        Peers.requirePythonWebsockets();
        Set<WebSocket> receivers = ConcurrentHashMap.newKeySet();
        WebSocketHandler relay = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                if (text.equals("receiver")) {
                    receivers.add(ws);
                }
                ws.sendText("ok");
            }

            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                for (WebSocket r : receivers) {
                    r.sendBinary(data);
                }
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(2).route("/", relay).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", RELAY,
                    "ws://127.0.0.1:" + server.port() + "/");
            for (int k = 0; k < 3; k++) {
                assertTrue(out.contains("receiver " + k + " good 400"), out);
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** Sends ten messages, then asks for them back; the handler kept them (on an executor it may). */
    private static final String KEEP = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    async with websockets.connect(sys.argv[1], max_size=None, compression=None) as ws:",
            "        sent = [os.urandom(100 + 997 * i) for i in range(10)]",
            "        for m in sent:",
            "            await ws.send(m)",
            "        await ws.send('give them back')",
            "        back = [await asyncio.wait_for(ws.recv(), 30) for _ in sent]",
            "        print('kept', sum(a == b for a, b in zip(sent, back)))",
            "asyncio.run(main())");

    @Test
    void onAnExecutorTheHandlerGetsBuffersOfItsOwnThatItMayKeep() throws Exception {
        Peers.requirePythonWebsockets();
        List<ByteBuffer> kept = new ArrayList<>();
        WebSocketHandler keeper = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                synchronized (kept) {
                    kept.add(data);
                }
            }

            @Override
            public void onText(WebSocket ws, String text) {
                synchronized (kept) {
                    kept.forEach(ws::sendBinary);
                }
            }
        };
        ExecutorService executor = Executors.newFixedThreadPool(2);
        WebSocketServer server = WebSocketServer.builder().port(0).executor(executor).route("/", keeper).build()
                .start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", KEEP,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("kept 10"), out);
            assertEquals(10, kept.size());
        } finally {
            server.stop(Duration.ofSeconds(2));
            executor.shutdownNow();
        }
    }

    @Test
    void ourClientLendsWhatAPythonServerEchoesAndAHandlerThatCopiesGetsEveryByte() throws Exception {
        Peers.requirePythonWebsockets();
        LinkedBlockingQueue<byte[]> echoes = new LinkedBlockingQueue<>();
        AtomicInteger views = new AtomicInteger();
        WebSocketHandler copier = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                if (data.isReadOnly()) {
                    views.incrementAndGet();
                }
                byte[] copy = new byte[data.remaining()];
                data.get(copy);   // the contract: copy what you keep
                echoes.add(copy);
            }
        };
        try (Peers.Server python = new Peers.Server(Peers.PYTHON, Peers.script("python_server.py").toString(),
                "plain");
                WebSocketClient client = WebSocketClient.builder()
                        .config(WebSocketConfig.builder().maxMessageSize(4 << 20).build()).build()) {
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + python.port + "/"), copier)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Random random = new Random(6455);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                byte[] m = new byte[i % 50 == 49 ? 1 << 20 : random.nextInt(20_000)];
                random.nextBytes(m);
                sent.add(m);
                ws.sendBinary(ByteBuffer.wrap(m));
            }
            int good = 0;
            for (byte[] m : sent) {
                byte[] echo = echoes.poll(30, TimeUnit.SECONDS);
                good += Arrays.equals(m, echo) ? 1 : 0;
            }
            assertEquals(200, good);
            assertTrue(views.get() > 0, "no message was lent");
            assertTrue(views.get() < 200, "a 1 MiB message cannot arrive in one read, yet all were lent");
        }
    }
}
