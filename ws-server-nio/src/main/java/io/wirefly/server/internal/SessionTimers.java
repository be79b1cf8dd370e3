package io.wirefly.server.internal;

/**
 * The timers of one session, and only they: the handshake deadline, the idle ping with its pong deadline, and the
 * close deadline. Each is armed and cancelled here, on the session's {@link Scheduler}, whose clock tests replace.
 * When a deadline passes, the session hears of it through {@link Events}; the timers never touch the socket.
 *
 * <pre>{@code
 * SessionTimers timers = new SessionTimers(session);   // its loop, settings and callbacks
 * timers.startHandshake();
 * timers.stopHandshake();   // the handshake completed
 * timers.startIdle();       // pings after idleTimeout of silence
 * }</pre>
 */
final class SessionTimers implements Runnable {

    /**
     * The session: its clock and settings, which the timers read rather than keep (an idle connection holds one
     * reference less of each), and what it does when a deadline passes.
     */
    interface Events {
        /** @return where the timers are scheduled, and their clock */
        Scheduler loop();

        /** @return the session's settings now: the server's, then its route's once the connection is open */
        Settings settings();

        /** The opening handshake did not complete in time. */
        void onHandshakeTimeout();

        /**
         * The peer was silent for the idle timeout: send this ping.
         *
         * @param payload the ping's 8-byte payload to send
         */
        void onPingDue(long payload);

        /** A ping got no pong in time. */
        void onPongTimeout();

        /** The closing handshake or the lingering close did not end in time. */
        void onCloseTimeout();
    }

    private final Events events;
    private Scheduler.Cancellable handshake;
    private Scheduler.Cancellable idle;
    private Scheduler.Cancellable close;
    private long lastReadNanos;
    /** When our idle ping went out, or -1 if none is waiting for its pong; also that ping's payload. */
    private long pingSentNanos = -1;

    SessionTimers(Events events) {
        this.events = events;
    }

    void startHandshake() {
        handshake = events.loop().schedule(events.settings().handshakeTimeoutNanos(), this::handshakeExpired);
    }

    void stopHandshake() {
        handshake = cancel(handshake);
    }

    /** Starts watching for silence, if the settings ask for pings. */
    void startIdle() {
        Scheduler loop = events.loop();
        lastReadNanos = loop.nanoTime();
        long idleTimeout = events.settings().idleTimeoutNanos();
        if (idleTimeout > 0) {
            idle = loop.schedule(idleTimeout, this);
        }
    }

    void stopIdle() {
        idle = cancel(idle);
        pingSentNanos = -1;
    }

    /** Bytes arrived: the peer is alive. */
    void onRead() {
        lastReadNanos = events.loop().nanoTime();
    }

    /**
     * A pong arrived.
     *
     * @param payload its payload
     * @return the round trip in nanoseconds if it answers our idle ping, else -1
     */
    long onPong(java.nio.ByteBuffer payload) {
        if (pingSentNanos >= 0 && payload.remaining() == Long.BYTES
                && payload.getLong(payload.position()) == pingSentNanos) {
            long rtt = events.loop().nanoTime() - pingSentNanos;
            pingSentNanos = -1;
            return rtt;
        }
        return -1;
    }

    /** Arms the close deadline once; later calls keep the first deadline. */
    void startClose() {
        if (close == null) {
            close = events.loop().schedule(events.settings().closeTimeoutNanos(), this::closeExpired);
        }
    }

    /** @return true if the close deadline is armed */
    boolean closing() {
        return close != null;
    }

    /** Cancels every timer: nothing of this session stays in the loop's heap. */
    void cancelAll() {
        handshake = cancel(handshake);
        idle = cancel(idle);
        close = cancel(close);
    }

    private void handshakeExpired() {
        handshake = null;
        events.onHandshakeTimeout();
    }

    private void closeExpired() {
        close = null;
        events.onCloseTimeout();
    }

    /** The idle timer fired: the timers are their own callback, so an idle connection keeps no lambda for it. */
    @Override
    public void run() {
        idleCheck();
    }

    private void idleCheck() {
        idle = null;
        Scheduler loop = events.loop();
        Settings settings = events.settings();
        long now = loop.nanoTime();
        if (pingSentNanos >= 0) {
            long waited = now - pingSentNanos;
            if (waited >= settings.pongTimeoutNanos()) {
                pingSentNanos = -1;
                events.onPongTimeout();
                return;
            }
            idle = loop.schedule(settings.pongTimeoutNanos() - waited, this);
            return;
        }
        long silent = now - lastReadNanos;
        if (silent >= settings.idleTimeoutNanos()) {
            pingSentNanos = now;   // the payload too: a pong that echoes it answers this ping
            events.onPingDue(now);
            idle = loop.schedule(settings.pongTimeoutNanos(), this);
        } else {
            idle = loop.schedule(settings.idleTimeoutNanos() - silent, this);
        }
    }

    private static Scheduler.Cancellable cancel(Scheduler.Cancellable timer) {
        if (timer != null) {
            timer.cancel();
        }
        return null;
    }
}
