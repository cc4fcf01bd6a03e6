package org.communityguard.sim.docs;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The repository's documentation stands alone: every link of README.md and docs/ leads to a file
 * in the repository (and to a heading that exists), so a clone has everything it points to.
 * External links are not fetched, only checked to be well-formed.
 */
class DocumentationLinksTest {

    /** Maven runs the tests in the module's directory; the repository is its parent. */
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyLinkOfTheReadmeAndTheDocsResolvesInsideTheRepository() {
        assertThat(REPOSITORY.resolve("README.md")).as("repository root").isRegularFile();
        assertThat(Files.isDirectory(REPOSITORY.resolve("docs"))).as("docs/ beside README.md").isTrue();
        MarkdownLinks links = new MarkdownLinks(REPOSITORY);

        MarkdownLinks.Report report = links.check(links.documentation());

        assertThat(report.problems())
                .withFailMessage(() -> report.problems().size() + " broken links in README.md and docs/:\n"
                        + report.problems().stream().map(p -> "  " + p).collect(Collectors.joining("\n")))
                .isEmpty();
        // Guards against a checker that silently finds nothing to check.
        assertThat(report.files()).as("Markdown files checked").isGreaterThan(5);
        assertThat(report.links()).as("links checked").isGreaterThan(30);
    }
}
