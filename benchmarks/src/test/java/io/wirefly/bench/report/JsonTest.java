package io.wirefly.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writesNestedValuesWithEscapes() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("name", "a \"quoted\"\\path\n");
        map.put("n", 3);
        map.put("x", 1.5);
        map.put("nan", Double.NaN);
        map.put("list", List.of(true, "b"));
        map.put("empty", Map.of());
        map.put("none", Arrays.asList((Object) null));
        String expected = "{\n"
                + "  \"name\": \"a \\\"quoted\\\"\\\\path\\n\",\n"
                + "  \"n\": 3,\n"
                + "  \"x\": 1.5,\n"
                + "  \"nan\": null,\n"
                + "  \"list\": [\n    true,\n    \"b\"\n  ],\n"
                + "  \"empty\": {},\n"
                + "  \"none\": [\n    null\n  ]\n"
                + "}\n";
        assertEquals(expected, Json.write(map));
    }

    @Test
    void escapesControlCharacters() {
        assertEquals("\"\\u0001\\t\"\n", Json.write("\u0001\t"));
    }
}
