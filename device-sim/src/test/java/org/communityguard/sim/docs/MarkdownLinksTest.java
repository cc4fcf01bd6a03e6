package org.communityguard.sim.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The link checker itself, on small repositories made in a temporary directory. */
class MarkdownLinksTest {

    @TempDir
    Path tmp;

    private Path repo;

    private MarkdownLinks.Report check(String readme, String... docs) throws IOException {
        repo = Files.createDirectories(tmp.resolve("repo"));
        Files.createDirectories(repo.resolve("docs/sub"));
        Files.writeString(repo.resolve("README.md"), readme);
        for (int i = 0; i < docs.length; i += 2) {
            Files.writeString(repo.resolve(docs[i]), docs[i + 1]);
        }
        MarkdownLinks links = new MarkdownLinks(repo);
        return links.check(links.documentation());
    }

    private static List<String> problems(MarkdownLinks.Report report) {
        return report.problems().stream().map(MarkdownLinks.Problem::toString).toList();
    }

    @Test
    void goodLinksOfEveryFormPass() throws IOException {
        MarkdownLinks.Report report = check("""
                # Title

                See [the guide](docs/guide.md), [its setup](docs/guide.md#set-up-the-gateway "title"),
                ![a picture](docs/sub/pic.png), [a folder](docs/sub/), [here](#title), [code](docs/sub/Code.java#L3-L9),
                [by reference][guide], [guide][], [guide], <https://example.org/a?b=c>, [mail](mailto:ops@example.org),
                <a href="docs/guide.md#faq">html</a> and [external](https://github.com/x/y#readme), [a link
                whose text runs over two lines](docs/guide.md).

                [guide]: docs/guide.md#faq
                """,
                "docs/guide.md", """
                        # Guide

                        ## Set up the gateway

                        Back to the [README](../README.md#title) or [a sibling](sub/other.md).

                        FAQ
                        ---
                        """,
                "docs/sub/other.md", "Up: [guide](../guide.md)\n",
                "docs/sub/pic.png", "png",
                "docs/sub/Code.java", "class Code {}\n");

        assertThat(problems(report)).isEmpty();
        assertThat(report.files()).isEqualTo(3);
        assertThat(report.links()).isEqualTo(18);
    }

    @Test
    void everyBrokenLinkIsReportedWithItsFileAndLine() throws IOException {
        MarkdownLinks.Report report = check("""
                # Title

                Outside: [brief](../shared/domain.md), missing: [gone](docs/gone.md).
                Fragment: [no such heading](docs/guide.md#nope), [upper case](docs/guide.md#Setup).
                """,
                "docs/guide.md", """
                        ## Setup

                        [rooted escape](/../etc/passwd) and [label][missing] and [bad url](https://%zz)
                        [ftp](ftp://example.org/x) [mail](mailto:nobody) [dir fragment](sub/#x)
                        """);

        assertThat(problems(report)).containsExactly(
                "README.md:3: ../shared/domain.md points outside the repository",
                "README.md:3: docs/gone.md: no such file or directory docs/gone.md",
                "README.md:4: docs/guide.md#nope: no heading with the anchor #nope in docs/guide.md",
                "README.md:4: docs/guide.md#Setup: no heading with the anchor #Setup in docs/guide.md",
                "docs/guide.md:3: no definition for the link label [missing]",
                "docs/guide.md:3: /../etc/passwd points outside the repository",
                "docs/guide.md:3: https://%zz is not a well-formed URL: Malformed escape pair",
                "docs/guide.md:4: ftp://example.org/x: only http, https and mailto links may leave the repository",
                "docs/guide.md:4: mailto:nobody is not a well-formed mailto: link",
                "docs/guide.md:4: sub/#x: a directory has no #x");
    }

    @Test
    void aTargetPushedOntoTheNextLineIsNoLinkAndIsReported() throws IOException {
        // Today's README did this: GitHub shows the brackets as text, and nothing links.
        MarkdownLinks.Report report = check("""
                Who uses it and why: [`docs/domain.md`]
                (the domain brief). A range [0..100] and a note [sic] are text.
                """,
                "docs/domain.md", "# Domain\n");

        assertThat(problems(report)).containsExactly(
                "README.md:1: [`docs/domain.md`] is not a link: nothing defines it and no (target) follows the ] "
                        + "(a line break between ] and ( breaks a link)");
    }

    @Test
    void codeCommentsAndEscapesHoldNoLinks() throws IOException {
        MarkdownLinks.Report report = check("""
                ```sh
                echo "[not](a/link.md)"
                ```

                ~~~
                [also](not/a/link.md)
                ~~~

                Inline `[code](x.md)` and ``[double `tick`](y.md)``, escaped \\[text](z.md),
                <!-- [commented](gone.md)
                still a comment [x](gone.md) -->
                """);

        assertThat(problems(report)).isEmpty();
        assertThat(report.links()).isZero();
    }

    @Test
    void anchorsFollowGitHub() {
        assertThat(MarkdownLinks.slug("Guarantees, and the tests that hold them")).isEqualTo("guarantees-and-the-tests-that-hold-them");
        assertThat(MarkdownLinks.slug("MQTT (mains-powered devices)")).isEqualTo("mqtt-mains-powered-devices");
        assertThat(MarkdownLinks.slug("`devices/{id}/error` and snake_case")).isEqualTo("devicesiderror-and-snake_case");
        assertThat(MarkdownLinks.slug("*Emphasis* and _this_ [linked](x.md) 1.2")).isEqualTo("emphasis-and-this-linked-12");
        assertThat(MarkdownLinks.slug("Linkage (联动) at the edge")).isEqualTo("linkage-联动-at-the-edge");
        assertThat(MarkdownLinks.slug("Two  spaces")).isEqualTo("two--spaces");
    }

    @Test
    void repeatedHeadingsGetNumberedAnchorsAndCodeHasNone() throws IOException {
        check("# Top\n",
                "docs/guide.md", """
                        ## Examples
                        ### Examples
                        ```
                        ## Not a heading
                        ```
                        <!--
                        ## Commented out
                        -->
                        Examples
                        ========
                        <a id="custom"></a>
                        """);

        assertThat(new MarkdownLinks(repo).anchors(repo.resolve("docs/guide.md")))
                .containsExactly("examples", "examples-1", "examples-2", "custom");
    }
}
