package io.wirefly.server.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * How a topic is named at a broker, the same for every bus adapter: {@code wirefly.topic.t<base64url of the UTF-8
 * name>}, so any topic name is a valid NATS subject or Redis channel (the "t" keeps an empty topic's name valid).
 *
 * <pre>{@code
 * String subject = BusNames.channel("room/42");   // "wirefly.topic.tcm9vbS80Mg"
 * String topic = BusNames.topic(subject);          // "room/42"
 * }</pre>
 */
public final class BusNames {
    private static final String PREFIX = "wirefly.topic.t";

    private BusNames() {
    }

    /**
     * @param topic a topic
     * @return its name at the broker
     */
    public static String channel(String topic) {
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(topic.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param channel a name at the broker
     * @return the topic, or null when the name is not one of ours
     */
    public static String topic(String channel) {
        if (channel == null || !channel.startsWith(PREFIX)) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(channel.substring(PREFIX.length())),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
