package io.wirefly.server.internal;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.protocol.ProtocolListener;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * One open connection's calls into its {@link WebSocketHandler}: it hears the protocol's events, counts the
 * messages, and calls the handler the way the server was configured, inline on the loop or through the connection's
 * {@link Dispatcher}. What an event means for the connection itself (a pong's round trip, the end of the
 * connection) it hands to the {@link Session} first. A handler that throws fails its connection with 1011, never
 * the loop.
 *
 * <p>Made when the handshake succeeds, with what the handler class overrides found once ({@link Handlers}): a ping
 * or pong flood costs a copy only for a handler that listens to them, and binary messages are lent to a handler
 * that borrows them when it runs on the loop, where the bytes are still valid during the call.
 *
 * <pre>{@code
 * HandlerCalls calls = new HandlerCalls(session, handler, dispatcher);
 * Protocol protocol = new Protocol(role, config, deflate, keys, calls, budget, segments);
 * calls.opened();   // handler.onOpen, then messages as protocol.receive decodes them
 * }</pre>
 */
final class HandlerCalls implements ProtocolListener {
    private static final System.Logger LOG = System.getLogger(HandlerCalls.class.getName());

    private final Session session;
    private final SessionHandle handle;
    private final WebSocketHandler handler;
    private final Dispatcher dispatcher;
    /** The handler overrides onPing: found once at open, not per ping (a ping flood is a hot path). */
    private final boolean wantsPings;
    /** The handler overrides onPong: unsolicited pongs may come in floods too. */
    private final boolean wantsPongs;
    /** The handler overrides onBinaryBorrowed: its binary messages go there, lent when it runs on the loop. */
    private final boolean borrows;

    /**
     * @param session the connection
     * @param handler the route's handler
     * @param dispatcher how its calls run
     */
    HandlerCalls(Session session, WebSocketHandler handler, Dispatcher dispatcher) {
        this.session = session;
        this.handle = session.handle();
        this.handler = handler;
        this.dispatcher = dispatcher;
        this.wantsPings = Handlers.wantsPings(handler);
        this.wantsPongs = Handlers.wantsPongs(handler);
        this.borrows = Handlers.borrows(handler);
    }

    /** @return whether the protocol should lend whole binary messages: the handler borrows them, on the loop */
    boolean lends() {
        // Lent bytes live only until the call returns: on an executor the handler would see them too late.
        return borrows && dispatcher == Dispatcher.INLINE;
    }

    /** @return true if too many calls wait for the executor: the connection stops reading */
    boolean backlogged() {
        return dispatcher.backlogged();
    }

    /** The connection is open: {@code onOpen}. */
    void opened() {
        dispatch(() -> handler.onOpen(handle));
    }

    /** @param error why the connection is ending abnormally: {@code onError} */
    void failed(Throwable error) {
        dispatch(() -> handler.onError(handle, error));
    }

    // The three message events call an inline handler directly, as Dispatcher.INLINE would, without making a task
    // for each message; the other events are rare and go through dispatch.

    @Override
    public void onText(String text) {
        session.messageIn();
        if (dispatcher != Dispatcher.INLINE) {
            dispatch(() -> handler.onText(handle, text), text.length());
            return;
        }
        try {
            handler.onText(handle, text);
        } catch (RuntimeException | Error e) {
            inlineCallFailed(e);
        }
    }

    @Override
    public void onBinary(ByteBuffer data) {
        session.messageIn();
        if (dispatcher != Dispatcher.INLINE) {
            if (borrows) {
                // on the executor: a copy it may keep
                dispatch(() -> handler.onBinaryBorrowed(handle, data), data.remaining());
            } else {
                dispatch(() -> handler.onBinary(handle, data), data.remaining());
            }
            return;
        }
        try {
            if (borrows) {
                handler.onBinaryBorrowed(handle, data);   // assembled: a buffer of its own, nothing to guard
            } else {
                handler.onBinary(handle, data);
            }
        } catch (RuntimeException | Error e) {
            inlineCallFailed(e);
        }
    }

    @Override
    public void onBinaryLent(ByteBuffer data) {
        session.messageIn();
        // Only without an executor: the call runs here, now, while the bytes are valid.
        // Sends made during it copy what they keep, or what the unit's write did not take (SessionHandle.sendBinary).
        Lending.begin();
        try {
            handler.onBinaryBorrowed(handle, data);
        } catch (RuntimeException | Error e) {
            inlineCallFailed(e);
        } finally {
            Lending.end();
        }
    }

    @Override
    public void onTextPart(String part, boolean last) {
        if (last) {
            session.messageIn();
        }
        dispatch(() -> handler.onTextPart(handle, part, last), part.length());
    }

    @Override
    public void onBinaryPart(ByteBuffer part, boolean last) {
        if (last) {
            session.messageIn();
        }
        dispatch(() -> handler.onBinaryPart(handle, part, last), part.remaining());
    }

    @Override
    public void onPing(ByteBuffer payload) {
        // The pong is already queued. The payload is a view valid only now: copied only for a handler that listens,
        // so a ping flood against any other handler allocates nothing.
        if (wantsPings) {
            ByteBuffer copy = Lending.copy(payload);
            dispatch(() -> handler.onPing(handle, copy));
        }
    }

    @Override
    public void onPong(ByteBuffer payload) {
        session.pongReceived(payload);
        // A view valid only now, like a ping's: copied only for a handler that listens.
        if (wantsPongs) {
            ByteBuffer copy = Lending.copy(payload);
            dispatch(() -> handler.onPong(handle, copy));
        }
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        session.closingWith(error.closeCode().code());
        dispatch(() -> handler.onError(handle, error));
    }

    @Override
    public void onClosed(int code, String reason) {
        session.protocolClosed(code, reason);
        dispatch(() -> handler.onClose(handle, code, reason));
    }

    @Override
    public void onInboundEvicted() {
        session.messageEvicted();   // from any thread: the session moves to its loop
    }

    private void dispatch(Runnable call) {
        dispatch(call, 0);
    }

    /**
     * @param bytes the size of the message the call carries, held in the inbound budget while it waits for an
     *     executor (a string's length in chars: its heap size when it is Latin-1, half of it otherwise)
     */
    private void dispatch(Runnable call, long bytes) {
        dispatcher.dispatch(() -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                handlerFailed(e);
            }
        }, bytes);
    }

    /** A handler call made inline threw: an exception fails the connection as dispatch does; an error is logged. */
    private void inlineCallFailed(Throwable t) {
        if (t instanceof RuntimeException e) {
            handlerFailed(e);
        } else {
            LOG.log(Level.WARNING, "handler call failed", t);   // as Dispatcher does for any inline call
        }
    }

    private void handlerFailed(RuntimeException e) {
        LOG.log(Level.WARNING, "handler threw; closing " + handle + " with 1011", e);
        try {
            handler.onError(handle, e);
        } catch (RuntimeException again) {
            LOG.log(Level.WARNING, "handler's onError threw", again);
        }
        // The peer would otherwise wait for an answer that will not come. A no-op once the close began.
        handle.close(CloseCode.INTERNAL_ERROR.code(), "internal error");
    }
}
