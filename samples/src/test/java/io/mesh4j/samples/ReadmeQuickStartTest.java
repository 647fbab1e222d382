package io.mesh4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The README's quick start is what the consumer build ({@code mesh-consumer-it}) compiles and resolves: the same
 * Java file and the same XML, so a reader who pastes them gets what the build checked.
 */
class ReadmeQuickStartTest {

    private static final Path ROOT = Path.of("..");
    private static final Path CONSUMER = ROOT.resolve("mesh-consumer-it/src/it/consumer");

    /** The lines of the first fenced block of {@code language} in the README's quick start. */
    private static List<String> readmeBlock(String language) throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String quickStart = readme.substring(readme.indexOf("## Quick start"));
        int start = quickStart.indexOf("```" + language + "\n") + language.length() + 4;
        return quickStart.substring(start, quickStart.indexOf("```", start)).lines().collect(Collectors.toList());
    }

    /** The text of the first {@code <name>} element of {@code xml}. */
    private static String element(String xml, String name) {
        int start = xml.indexOf("<" + name + ">") + name.length() + 2;
        return xml.substring(start, xml.indexOf("</" + name + ">", start));
    }

    private static List<String> stripped(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).collect(Collectors.toList());
    }

    @Test
    void shouldShowTheJavaFileTheConsumerBuildCompiles() throws IOException {
        List<String> compiled = Files.readAllLines(CONSUMER.resolve("src/main/java/com/example/QuickStart.java"));

        assertThat(readmeBlock("java")).isEqualTo(compiled);
    }

    @Test
    void shouldShowDependenciesTheConsumerBuildResolves() throws IOException {
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        String consumerPom = Files.readString(CONSUMER.resolve("pom.xml"))
                .replace("@project.version@", element(parent, "version"))
                .replace("@slf4j.version@", element(parent, "slf4j.version"));
        List<String> pom = stripped(consumerPom.lines().collect(Collectors.toList()));

        List<String> readme = stripped(readmeBlock("xml"));

        assertThat(readme).isNotEmpty();
        assertThat(String.join("\n", pom)).contains(String.join("\n", readme.subList(0, readme.indexOf(
                "</dependencyManagement>") + 1)));
        for (String artifact : readme.stream().filter(line -> line.startsWith("<artifactId>"))
                .collect(Collectors.toList())) {
            assertThat(pom).contains(artifact);
        }
    }
}
