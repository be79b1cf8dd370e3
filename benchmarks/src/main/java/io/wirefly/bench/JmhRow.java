package io.wirefly.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One benchmark method at one parameter combination.
 *
 * @param type the benchmark class's simple name
 * @param method the benchmark method
 * @param params parameter name to value
 * @param score median over forks of the mean time per operation
 * @param forkScores each fork's mean
 * @param allocBytesPerOp median over forks of {@code gc.alloc.rate.norm}, NaN if not profiled
 * @param unit the score's unit (ns/op)
 */
record JmhRow(String type, String method, Map<String, String> params, double score, List<Double> forkScores,
        double allocBytesPerOp, String unit) {

    /** @return the size parameter in bytes, or -1 when the benchmark has none */
    int size() {
        String size = params.get("size");
        return size == null ? -1 : Integer.parseInt(size);
    }

    /** @return bytes per nanosecond = GB/s, or NaN without a size */
    double gigabytesPerSecond() {
        return size() < 0 ? Double.NaN : size() / score;
    }

    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", type + "." + method);
        json.put("params", params);
        json.put("score", score);
        json.put("unit", unit);
        json.put("fork_scores", forkScores);
        json.put("alloc_bytes_per_op", allocBytesPerOp);
        if (size() >= 0) {
            json.put("gb_per_s", gigabytesPerSecond());
        }
        return json;
    }
}
