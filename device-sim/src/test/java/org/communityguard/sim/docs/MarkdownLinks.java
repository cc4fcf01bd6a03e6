package org.communityguard.sim.docs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks the links of a repository's Markdown files without the network: every relative target
 * must be a file or directory inside the repository, every {@code #fragment} a heading anchor of
 * its Markdown target (GitHub's rules), every external link well-formed.
 *
 * <p>Read as GitHub reads it, closely enough for documentation: fenced code blocks, inline code
 * spans and HTML comments hold no links; inline links and images {@code [text](target)},
 * reference links {@code [text][label]}, {@code [label][]} and {@code [label]} with their
 * definitions {@code [label]: target}, autolinks {@code <https://...>} and the {@code href} and
 * {@code src} of HTML tags are checked. A {@code [label]} with no definition is plain text to
 * GitHub; when its text looks like a path or URL it was meant as a link (typically one whose
 * {@code (target)} was pushed onto the next line), so it is reported too.
 */
final class MarkdownLinks {

    /** A broken link: where it is and what is wrong, as {@code docs/x.md:12: message}. */
    record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /** What one check found: the problems, and how many links were looked at. */
    record Report(List<Problem> problems, int files, int links) {
    }

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");
    private static final Pattern ATX_HEADING = Pattern.compile("^ {0,3}(#{1,6})(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$");
    private static final Pattern SETEXT_UNDERLINE = Pattern.compile("^ {0,3}(=+|-+)[ \\t]*$");
    private static final Pattern DEFINITION = Pattern.compile("^ {0,3}\\[([^\\]]+)\\]:[ \\t]*(<[^>]*>|\\S+)");
    private static final Pattern AUTOLINK = Pattern.compile("<((?:https?|mailto):[^>\\s]*)>");
    private static final Pattern HTML_ATTRIBUTE = Pattern.compile("<(?:a|img)\\b[^>]*?\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern HTML_ANCHOR = Pattern.compile("<[a-z]+\\b[^>]*?\\b(?:id|name)\\s*=\\s*\"([^\"]+)\"",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");
    /** Lines that start a list item, quote or table, which an underline does not make a heading. */
    private static final Pattern NOT_A_PARAGRAPH = Pattern.compile("^ {0,3}(?:[-*+>|]|\\d+[.)])(?:\\s|$)|^ {0,3}\\|");
    private static final Pattern LINE_FRAGMENT = Pattern.compile("L\\d+(-L\\d+)?");
    /** Text of a {@code [label]} that was surely meant as a link. */
    private static final Pattern LOOKS_LIKE_TARGET = Pattern.compile("(?:https?://|mailto:|#|\\.{1,2}/)\\S*|\\S*/\\S*|\\S+\\.md(#\\S*)?");
    /** Masks what holds no links: same length as the original, so positions stay valid. */
    private static final char MASK = '\u0000';

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    /** @param root the repository root; no link may lead out of it */
    MarkdownLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The repository's {@code README.md} and every {@code *.md} under {@code docs/}. */
    List<Path> documentation() {
        List<Path> files = new ArrayList<>();
        files.add(root.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md") && Files.isRegularFile(p)).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    Report check(List<Path> files) {
        List<Problem> problems = new ArrayList<>();
        int links = 0;
        for (Path file : files) {
            links += checkFile(file.toAbsolutePath().normalize(), problems);
        }
        return new Report(List.copyOf(problems), files.size(), links);
    }

    private int checkFile(Path file, List<Problem> problems) {
        List<String> original = read(file);
        List<String> masked = mask(original);
        String name = root.relativize(file).toString().replace('\\', '/');
        Map<String, String> definitions = new HashMap<>();
        for (int i = 0; i < masked.size(); i++) {
            Matcher definition = DEFINITION.matcher(masked.get(i));
            if (definition.find()) {
                definitions.putIfAbsent(label(original.get(i).substring(definition.start(1), definition.end(1))),
                        unbracket(original.get(i).substring(definition.start(2), definition.end(2))));
            }
        }
        int links = 0;
        int openBrackets = 0;
        for (int i = 0; i < masked.size(); i++) {
            int lineNumber = i + 1;
            String text = masked.get(i);
            // Link text may run over lines of a paragraph: its '[' on one, "](target)" on a later one.
            openBrackets = text.isBlank() || isMasked(text) ? 0 : openBrackets;
            Line line = new Line(text, original.get(i), definitions, openBrackets,
                    message -> problems.add(new Problem(name, lineNumber, message)));
            openBrackets = line.openAtEnd();
            for (String target : line.targets()) {
                links++;
                String problem = problem(file, target);
                if (problem != null) {
                    problems.add(new Problem(name, lineNumber, problem));
                }
            }
        }
        return links;
    }

    /**
     * The link targets of one line: {@code [text](target)}, {@code [text][label]},
     * {@code [label][]}, a defined {@code [label]}, a definition, an autolink, an HTML
     * {@code href}/{@code src}. Structure is read from the masked line, text from the original
     * (same positions). Syntax problems (an unclosed target, an undefined label) go to
     * {@code problems}.
     */
    private record Line(String masked, String original, Map<String, String> definitions, int openBefore,
                        Consumer<String> problems) {

        /** Brackets opened and not closed by the end of this line, counting those open before it. */
        int openAtEnd() {
            int open = openBefore;
            for (int i = 0; i < masked.length(); i++) {
                char c = masked.charAt(i);
                if (c == '[') {
                    open++;
                } else if (c == ']' && open > 0) {
                    open--;
                }
            }
            return open;
        }

        List<String> targets() {
            List<String> targets = new ArrayList<>();
            int from = 0;
            Matcher definition = DEFINITION.matcher(masked);
            if (definition.find()) {
                targets.add(unbracket(original.substring(definition.start(2), definition.end(2))));
                from = definition.end();
            }
            for (int close = masked.indexOf(']', from); close >= 0; close = masked.indexOf(']', close + 1)) {
                close = bracketed(close, targets);
            }
            for (Pattern pattern : List.of(AUTOLINK, HTML_ATTRIBUTE)) {
                Matcher m = pattern.matcher(masked);
                while (m.find()) {
                    targets.add(original.substring(m.start(1), m.end(1)));
                }
            }
            return targets;
        }

        /** Handles the {@code ]} at {@code close}; returns where the search for the next one goes on. */
        private int bracketed(int close, List<String> targets) {
            char next = close + 1 < masked.length() ? masked.charAt(close + 1) : ' ';
            int open = opening(masked, close);
            if (open < 0 && !openedBefore(close)) {
                return close;
            }
            if (next == '(') {
                int end = destinationEnd(masked, close + 2);
                if (end < 0) {
                    problems.accept("link target not closed on its line: " + original.substring(close + 1).strip());
                    return close;
                }
                targets.add(destination(original.substring(close + 2, end)));
                return close;
            }
            if (open < 0) {
                // Text started on an earlier line: only "](target)" can be told from here.
                return close;
            }
            String text = original.substring(open + 1, close);
            if (next == '[') {
                int labelEnd = masked.indexOf(']', close + 2);
                if (labelEnd < 0) {
                    return close;
                }
                String label = original.substring(close + 2, labelEnd);
                reference(label(label.isBlank() ? text : label), targets, "no definition for the link label [%s]");
                return labelEnd;
            }
            boolean labelOfFullReference = open > 0 && masked.charAt(open - 1) == ']';
            if (labelOfFullReference || text.isBlank()) {
                return close;
            }
            String key = label(text);
            if (definitions.containsKey(key)) {
                targets.add(definitions.get(key));
            } else if (LOOKS_LIKE_TARGET.matcher(text.replace("`", "").strip()).matches()) {
                problems.accept("[" + text + "] is not a link: nothing defines it and no (target) follows the ]"
                        + " (a line break between ] and ( breaks a link)");
            }
            return close;
        }

        /** Whether the ']' at {@code close}, unmatched on this line, closes a '[' of an earlier line. */
        private boolean openedBefore(int close) {
            int unmatchedClosers = 0;
            int depth = 0;
            for (int i = 0; i <= close; i++) {
                char c = masked.charAt(i);
                if (c == '[') {
                    depth++;
                } else if (c == ']') {
                    if (depth > 0) {
                        depth--;
                    } else {
                        unmatchedClosers++;
                    }
                }
            }
            return unmatchedClosers <= openBefore;
        }

        private void reference(String key, List<String> targets, String undefined) {
            if (definitions.containsKey(key)) {
                targets.add(definitions.get(key));
            } else {
                problems.accept(undefined.formatted(key));
            }
        }
    }

    /** The {@code [} that a {@code ]} closes, or -1; brackets nest. */
    private static int opening(String line, int close) {
        int depth = 0;
        for (int i = close - 1; i >= 0; i--) {
            char c = line.charAt(i);
            if (c == ']') {
                depth++;
            } else if (c == '[') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    /** Index of the {@code )} that ends an inline link's {@code (destination "title")}, or -1. */
    private static int destinationEnd(String line, int start) {
        int depth = 0;
        boolean angle = false;
        char quote = 0;
        for (int i = start; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (angle) {
                angle = c != '>';
            } else if (c == '<' && line.substring(start, i).isBlank()) {
                angle = true;
            } else if ((c == '"' || c == '\'') && i > start && Character.isWhitespace(line.charAt(i - 1))) {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            }
        }
        return -1;
    }

    /** The destination of {@code (destination "title")}, without the title and angle brackets. */
    private static String destination(String inside) {
        String trimmed = inside.strip();
        if (trimmed.startsWith("<")) {
            int end = trimmed.indexOf('>');
            return end < 0 ? trimmed : trimmed.substring(1, end);
        }
        int space = indexOfWhitespace(trimmed);
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String unbracket(String target) {
        return target.startsWith("<") && target.endsWith(">") ? target.substring(1, target.length() - 1) : target;
    }

    /** Link labels match case-insensitively with runs of whitespace as one space (CommonMark). */
    private static String label(String text) {
        return text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    /** What is wrong with one link target, or null. */
    private String problem(Path file, String target) {
        if (target.isEmpty()) {
            return "empty link target";
        }
        if (SCHEME.matcher(target).find() && !target.startsWith("#")) {
            return external(target);
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        int query = pathPart.indexOf('?');
        String path = decode(query < 0 ? pathPart : pathPart.substring(0, query));
        String fragment = hash < 0 ? null : decode(target.substring(hash + 1));
        if (path == null || hash >= 0 && fragment == null) {
            return "bad percent-encoding in " + target;
        }
        Path resolved = path.isEmpty() ? file
                : (path.startsWith("/") ? root.resolve(path.substring(1)) : file.getParent().resolve(path)).normalize();
        if (!resolved.startsWith(root)) {
            return target + " points outside the repository";
        }
        String shown = root.relativize(resolved).toString().replace('\\', '/');
        if (!Files.exists(resolved)) {
            return target + ": no such file or directory " + (shown.isEmpty() ? "." : shown);
        }
        if (fragment == null) {
            return null;
        }
        if (Files.isDirectory(resolved)) {
            return target + ": a directory has no #" + fragment;
        }
        if (!resolved.getFileName().toString().endsWith(".md")) {
            return LINE_FRAGMENT.matcher(fragment).matches() ? null
                    : target + ": #" + fragment + " on a file that is not Markdown (only #L12 or #L12-L20 mean something there)";
        }
        if (!anchors(resolved).contains(fragment)) {
            return target + ": no heading with the anchor #" + fragment + " in " + shown;
        }
        return null;
    }

    private static String external(String target) {
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mailto:")) {
            String address = target.substring("mailto:".length());
            int at = address.indexOf('@');
            return at > 0 && at < address.length() - 1 && indexOfWhitespace(address) < 0 ? null
                    : target + " is not a well-formed mailto: link";
        }
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return target + ": only http, https and mailto links may leave the repository";
        }
        try {
            URI uri = new URI(target);
            return uri.getHost() == null || uri.getHost().isEmpty() ? target + " has no host" : null;
        } catch (URISyntaxException e) {
            return target + " is not a well-formed URL: " + e.getReason();
        }
    }

    /** Percent-decoding as in a URL path (a '+' stays a '+'); null when malformed. */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
            if (lo < 0) {
                return null;
            }
            bytes.write(hi * 16 + lo);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The anchors GitHub gives a Markdown file's headings, plus explicit HTML ids and names. */
    Set<String> anchors(Path file) {
        return anchors.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            List<String> original = read(f);
            List<String> masked = mask(original);
            Set<String> result = new LinkedHashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < masked.size(); i++) {
                String heading = heading(original, masked, i);
                if (heading != null) {
                    String slug = slug(heading);
                    int count = seen.merge(slug, 1, Integer::sum);
                    result.add(count == 1 ? slug : slug + "-" + (count - 1));
                }
                // Masked lines: an id inside code or a comment is no anchor.
                Matcher html = HTML_ANCHOR.matcher(masked.get(i));
                while (html.find()) {
                    result.add(html.group(1));
                }
            }
            return result;
        });
    }

    /**
     * The text of the heading at line {@code i}, or null when it is none: an ATX heading
     * ({@code ## Text}), or a setext one (a line of text starting a block, underlined with
     * {@code ===} or {@code ---}).
     */
    private static String heading(List<String> original, List<String> masked, int i) {
        String line = masked.get(i);
        if (isMasked(line)) {
            return null;
        }
        Matcher atx = ATX_HEADING.matcher(line);
        if (atx.matches()) {
            return atx.group(2) == null ? "" : original.get(i).substring(atx.start(2), atx.end(2));
        }
        boolean underlined = i + 1 < masked.size() && SETEXT_UNDERLINE.matcher(masked.get(i + 1)).matches();
        String previous = i == 0 ? "" : masked.get(i - 1);
        boolean startsBlock = previous.isBlank() || isMasked(previous) || ATX_HEADING.matcher(previous).matches();
        return underlined && startsBlock && !line.isBlank() && !NOT_A_PARAGRAPH.matcher(line).find() ? original.get(i).strip() : null;
    }

    /** A line wholly masked: inside a fenced code block or a comment. */
    private static boolean isMasked(String line) {
        return !line.isEmpty() && line.chars().allMatch(c -> c == MASK || c == ' ');
    }

    /**
     * GitHub's anchor for a heading (github-slugger): the rendered text in lower case, every
     * character that is not a letter, digit, mark, '_', '-' or space removed, each space a '-'.
     */
    static String slug(String heading) {
        String text = rendered(heading).strip().toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (cp == ' ') {
                out.append('-');
            } else if (cp == '-' || Character.isLetterOrDigit(cp) || type == Character.CONNECTOR_PUNCTUATION
                    || type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                    || type == Character.ENCLOSING_MARK) {
                out.appendCodePoint(cp);
            }
        });
        return out.toString();
    }

    /** A heading's text as rendered: code spans kept verbatim, link and emphasis markup removed. */
    private static String rendered(String heading) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < heading.length()) {
            char c = heading.charAt(i);
            if (c == '\\' && i + 1 < heading.length()) {
                out.append(heading.charAt(i + 1));
                i += 2;
            } else if (c == '`') {
                int run = run(heading, i, '`');
                int close = heading.indexOf("`".repeat(run), i + run);
                if (close < 0) {
                    out.append(heading, i, i + run);
                    i += run;
                } else {
                    out.append(heading.substring(i + run, close).strip());
                    i = close + run;
                }
            } else if (c == '_' || c == '*' || c == '~') {
                int run = run(heading, i, c);
                boolean intraword = c == '_' && i > 0 && Character.isLetterOrDigit(heading.charAt(i - 1))
                        && i + run < heading.length() && Character.isLetterOrDigit(heading.charAt(i + run));
                if (intraword) {
                    out.append(heading, i, i + run);
                }
                i += run;
            } else if (c == '<') {
                int close = heading.indexOf('>', i);
                i = close < 0 ? i + 1 : close + 1;
                if (close < 0) {
                    out.append(c);
                }
            } else if (c == ']' && i + 1 < heading.length() && heading.charAt(i + 1) == '(') {
                int end = destinationEnd(heading, i + 2);
                i = end < 0 ? i + 1 : end + 1;
            } else if (c == '[' || c == ']' || c == '!' && i + 1 < heading.length() && heading.charAt(i + 1) == '[') {
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static int run(String s, int from, char c) {
        int end = from;
        while (end < s.length() && s.charAt(end) == c) {
            end++;
        }
        return end - from;
    }

    /**
     * The lines with everything that cannot hold a link replaced by {@link #MASK}: fenced code
     * blocks (whole lines), inline code spans, HTML comments and backslash-escaped characters.
     */
    static List<String> mask(List<String> lines) {
        List<String> out = new ArrayList<>(lines.size());
        String fence = null;
        boolean comment = false;
        for (String line : lines) {
            if (fence != null) {
                Matcher closing = FENCE.matcher(line);
                if (closing.find() && closing.group(1).charAt(0) == fence.charAt(0) && closing.group(1).length() >= fence.length()
                        && line.substring(closing.end()).isBlank()) {
                    fence = null;
                }
                out.add(String.valueOf(MASK).repeat(line.length()));
                continue;
            }
            Matcher opening = FENCE.matcher(line);
            if (!comment && opening.find()) {
                fence = opening.group(1);
                out.add(String.valueOf(MASK).repeat(line.length()));
                continue;
            }
            char[] chars = line.toCharArray();
            int i = 0;
            while (i < chars.length) {
                if (comment) {
                    int end = line.indexOf("-->", i);
                    int stop = end < 0 ? chars.length : end + 3;
                    Arrays.fill(chars, i, stop, MASK);
                    comment = end < 0;
                    i = stop;
                } else if (line.startsWith("<!--", i)) {
                    comment = true;
                } else if (chars[i] == '\\' && i + 1 < chars.length && isAsciiPunctuation(chars[i + 1])) {
                    chars[i] = MASK;
                    chars[i + 1] = MASK;
                    i += 2;
                } else if (chars[i] == '`') {
                    int run = run(line, i, '`');
                    int close = closingRun(line, i + run, run);
                    if (close < 0) {
                        i += run;
                    } else {
                        Arrays.fill(chars, i, close + run, MASK);
                        i = close + run;
                    }
                } else {
                    i++;
                }
            }
            out.add(new String(chars));
        }
        return out;
    }

    /** Start of the next run of exactly {@code run} backticks from {@code from}, or -1. */
    private static int closingRun(String line, int from, int run) {
        int i = from;
        while (i < line.length()) {
            if (line.charAt(i) == '`') {
                int length = run(line, i, '`');
                if (length == run) {
                    return i;
                }
                i += length;
            } else {
                i++;
            }
        }
        return -1;
    }

    private static boolean isAsciiPunctuation(char c) {
        return c < 128 && !Character.isLetterOrDigit(c) && !Character.isWhitespace(c) && !Character.isISOControl(c);
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
