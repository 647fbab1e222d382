package io.mesh4j.routing.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonReaderTest {

    @Test
    void shouldReadEveryKindOfValueWhenDocumentIsValid() {
        Object value = JsonReader.read(" {\"a\": [1, -2.5, 3e2, true, false, null, \"x\\u0041\\n\\\"\"], \"b\": {}} ");
        assertThat(value).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        assertThat(object.keySet()).containsExactly("a", "b");
        @SuppressWarnings("unchecked")
        List<Object> array = (List<Object>) object.get("a");
        assertThat(array).containsExactly(1L, -2.5, 300.0, true, false, JsonReader.NULL,
                "xA\n\"");
        assertThat((Map<?, ?>) object.get("b")).isEmpty();
    }

    @Test
    void shouldNameLineAndColumnWhenDocumentIsMalformed() {
        assertThatThrownBy(() -> JsonReader.read("{\n  \"a\": 1,\n  \"b\" 2\n}"))
                .hasMessage("JSON at line 3, column 7: '2' (expected: ':')");
        assertThatThrownBy(() -> JsonReader.read("{\"a\": [1, 2")).hasMessage(
                "JSON at line 1, column 12: end of document (expected: ',' or ']')");
        assertThatThrownBy(() -> JsonReader.read("{\"a\": 1} x")).hasMessageContaining("(expected: end of document)");
        assertThatThrownBy(() -> JsonReader.read("{\"a\": 01}")).hasMessageContaining("(expected: ',' or '}')");
        assertThatThrownBy(() -> JsonReader.read("[tru]")).hasMessageContaining("(expected: a value)");
        assertThatThrownBy(() -> JsonReader.read("\"a\tb\"")).hasMessageContaining("no control character");
        assertThatThrownBy(() -> JsonReader.read("")).hasMessageContaining("end of document (expected: a value)");
    }

    @Test
    void shouldRejectDuplicateNamesAndDeepNestingWhenDocumentHasThem() {
        assertThatThrownBy(() -> JsonReader.read("{\"a\": 1, \"a\": 2}"))
                .hasMessageContaining("each member name once, not 'a' again");
        assertThatThrownBy(() -> JsonReader.read("[".repeat(65) + "]".repeat(65)))
                .hasMessageContaining("at most 64 nested");
    }
}
