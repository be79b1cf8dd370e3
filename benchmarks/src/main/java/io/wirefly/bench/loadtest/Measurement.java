package io.wirefly.bench.loadtest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of one scenario against one server: its metrics, or why it failed.
 *
 * @param server the server's label
 * @param scenario the scenario's label
 * @param repetition 1-based
 * @param metrics metric name (with its unit) to value; empty when failed
 * @param error null when the run succeeded
 */
record Measurement(String server, String scenario, int repetition, Map<String, Double> metrics, String error) {
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("server", server);
        json.put("scenario", scenario);
        json.put("repetition", repetition);
        json.put("metrics", metrics);
        if (error != null) {
            json.put("error", error);
        }
        return json;
    }
}
