package io.mesh4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropInSampleTest {

    @Test
    void shouldBalanceServiceCallsAndPassOtherHostsThroughWhenMeshJoinsAnExistingClient() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        List<String> answers = DropInSample.run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(answers.subList(0, 2)).containsExactlyInAnyOrder("orders-1", "orders-2");
        assertThat(answers.get(2)).isEqualTo("a host outside the mesh");
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("your interceptor ran 3 times");
    }
}
