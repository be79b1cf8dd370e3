package io.wirefly.core.internal.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionHeaderTest {

    @Test
    void splitsAtCommasOutsideQuotes() {
        assertEquals(List.of("a; x=\"1,2\"", "b", "c"), ExtensionHeader.split(" a; x=\"1,2\" ,b,, c "));
        assertEquals(List.of(), ExtensionHeader.split(" , "));
    }

    @Test
    void parsesNameAndParameters() {
        ExtensionHeader.Extension e = ExtensionHeader.parse("Foo ; A ; b = 1 ; c=\"x\\y\"");
        assertEquals("foo", e.name());
        assertEquals(List.of(new ExtensionHeader.Param("a", null), new ExtensionHeader.Param("b", "1"),
                new ExtensionHeader.Param("c", "xy")), e.params());
    }

    @Test
    void rejectsMalformedExtensions() {
        for (String bad : new String[] {"", "a b", "foo; ", "foo; =1", "foo; a=", "foo; a=\"\"", "foo; a=\"x",
            "foo; a=b c", "foo; a=\"b c\""}) {
            assertThrows(IllegalArgumentException.class, () -> ExtensionHeader.parse(bad), bad);
        }
    }
}
