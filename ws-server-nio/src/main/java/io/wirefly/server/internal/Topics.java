package io.wirefly.server.internal;

import io.wirefly.core.Role;
import io.wirefly.core.WebSocket;
import io.wirefly.core.internal.frame.FrameEncoder;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.frame.Opcode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A server's topics: named sets of its connections, each message encoded once and shared read-only by every member
 * ({@link Broadcast}). Reached from the server ({@code server.publish}) and from each of its connections
 * ({@code ws.publish}). A connection leaves all its topics when it is released. Thread-safe.
 *
 * <pre>{@code
 * Topics topics = new Topics(connections);
 * topics.subscribe(handle, "room:lobby");
 * topics.publish("room:lobby", "hello");
 * }</pre>
 */
public final class Topics {
    private static final System.Logger LOG = System.getLogger(Topics.class.getName());

    private final Set<SessionHandle> connections;
    private final Map<String, Set<SessionHandle>> members = new ConcurrentHashMap<>();
    /** Carries publishes to other nodes, or null for a server on its own. */
    private final io.wirefly.server.cluster.TopicBus bus;
    /** This node, in the envelopes it publishes: its own come back (or not) and are never delivered twice. */
    private final java.util.UUID node = java.util.UUID.randomUUID();

    /** @param connections the server's open connections (live): only they may join */
    public Topics(Set<SessionHandle> connections) {
        this(connections, null);
    }

    /**
     * @param connections the server's open connections (live): only they may join
     * @param bus carries publishes to and from other nodes, or null
     */
    public Topics(Set<SessionHandle> connections, io.wirefly.server.cluster.TopicBus bus) {
        this.connections = connections;
        this.bus = bus;
    }

    /** Starts taking messages from other nodes (the server starts); nothing without a bus. */
    public void startBus() {
        if (bus != null) {
            bus.start(this::deliverRemote);
        }
    }

    /**
     * A message another node published: to the local members only.
     *
     * @return false if the envelope is malformed
     */
    private boolean deliverRemote(String topic, byte[] envelope) {
        io.wirefly.server.cluster.Envelope e;
        try {
            e = io.wirefly.server.cluster.Envelope.decode(envelope);
        } catch (IllegalArgumentException malformed) {
            LOG.log(System.Logger.Level.WARNING, "dropped a malformed envelope on topic " + topic + ": "
                    + malformed.getMessage());
            return false;
        }
        if (!e.node().equals(node)) {
            Broadcast.send(members(topic), frame(e.text() ? Opcode.TEXT : Opcode.BINARY, ByteBuffer.wrap(e.payload())));
        }
        return true;
    }

    /**
     * @param ws a connection of this server
     * @param topic the topic name
     * @throws IllegalArgumentException if {@code ws} is not a connection of this server
     */
    public void subscribe(WebSocket ws, String topic) {
        Objects.requireNonNull(topic, "topic");
        if (!(ws instanceof SessionHandle c) || !connections.contains(c)) {
            throw new IllegalArgumentException("not a connection of this server: " + ws);
        }
        c.topics().add(topic);
        members.computeIfAbsent(topic, t -> {
            if (bus != null) {
                bus.subscribe(t);   // the first local member: this node wants the topic now
            }
            return ConcurrentHashMap.newKeySet();
        }).add(c);
        if (!connections.contains(c)) {
            leave(c, topic);   // it closed meanwhile, and its release may have run before it joined
        }
    }

    /** Removes a connection from a topic; nothing if it is not a member. */
    public void unsubscribe(WebSocket ws, String topic) {
        if (ws instanceof SessionHandle c) {
            leave(c, topic);
        }
    }

    /** A released connection leaves every topic it joined. */
    public void leaveAll(SessionHandle c) {
        for (String topic : c.joinedTopics()) {
            leave(c, topic);
        }
    }

    private void leave(SessionHandle c, String topic) {
        c.joinedTopics().remove(topic);
        members.computeIfPresent(topic, (t, set) -> {
            set.remove(c);
            if (set.isEmpty() && bus != null) {
                bus.unsubscribe(t);   // the last local member left
            }
            return set.isEmpty() ? null : set;
        });
    }

    /** @return how many open local members it was queued for (other nodes get it through the bus) */
    public int publish(String topic, CharSequence text) {
        byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
        if (bus != null) {
            bus.publish(topic, io.wirefly.server.cluster.Envelope.encode(node, true, utf8));
        }
        return Broadcast.send(members(topic), frame(Opcode.TEXT, ByteBuffer.wrap(utf8)));
    }

    /** @return how many open local members it was queued for (other nodes get it through the bus) */
    public int publish(String topic, ByteBuffer data) {
        if (bus != null) {
            byte[] bytes = new byte[data.remaining()];
            data.duplicate().get(bytes);
            bus.publish(topic, io.wirefly.server.cluster.Envelope.encode(node, false, bytes));
        }
        return Broadcast.send(members(topic), frame(Opcode.BINARY, data));
    }

    private Set<SessionHandle> members(String topic) {
        Set<SessionHandle> set = members.get(topic);
        return set == null ? Set.of() : set;
    }

    /** @return how many topics have members */
    public int count() {
        return members.size();
    }

    /** Forgets every topic (the server stopped). */
    public void clear() {
        members.clear();
    }

    /** @return an unmasked frame, encoded once and shared read-only by every recipient */
    public static ByteBuffer frame(Opcode opcode, ByteBuffer payload) {
        return new FrameEncoder(Role.SERVER, MaskKeys.fixed(0)).encode(opcode.code(), true, 0, payload)
                .asReadOnlyBuffer();
    }
}
