package io.mesh4j.routing;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.regex.Pattern;

/** How a request's encoded path must look: exactly a path, under a prefix, or matching a regex. Immutable. */
public final class PathMatch {

    private enum Kind { EXACT, PREFIX, REGEX }

    private static final PathMatch ANY = new PathMatch(Kind.PREFIX, "/", null);

    private final Kind kind;
    private final String value;
    /** The index and value of the last character of {@link #value}, compared first. */
    private final int last;
    private final char lastChar;
    @Nullable
    private final Pattern pattern;

    private PathMatch(Kind kind, String value, @Nullable Pattern pattern) {
        this.kind = kind;
        this.value = value;
        this.last = value.length() - 1;
        this.lastChar = value.isEmpty() ? 0 : value.charAt(last);
        this.pattern = pattern;
    }

    /** Every path. */
    public static PathMatch any() {
        return ANY;
    }

    /** Exactly {@code path}. */
    public static PathMatch exact(String path) {
        return new PathMatch(Kind.EXACT, checkPath(path), null);
    }

    /**
     * {@code prefix} and everything below it: {@code /v1} matches {@code /v1}, {@code /v1/} and {@code /v1/items},
     * not {@code /v10}, as Envoy's path-separated prefix does.
     */
    public static PathMatch prefix(String prefix) {
        return new PathMatch(Kind.PREFIX, checkPath(prefix), null);
    }

    /** A path the regular expression matches as a whole. */
    public static PathMatch regex(String regex) {
        return new PathMatch(Kind.REGEX, requireNonNull(regex, "regex"), ValueMatch.compile("path regex", regex));
    }

    private static String checkPath(String path) {
        requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path: '" + path + "' (expected: a path starting with '/')");
        }
        return path;
    }

    public boolean matches(String path) {
        if (kind == Kind.PREFIX) {
            // Prefixes of one service often share their start (/api/...): their last character tells them apart
            // at once, before comparing the whole prefix.
            if (path.length() <= last || path.charAt(last) != lastChar || !path.startsWith(value)) {
                return false;
            }
            return path.length() == last + 1 || lastChar == '/' || path.charAt(last + 1) == '/';
        }
        return kind == Kind.EXACT ? path.equals(value) : pattern.matcher(path).matches();
    }

    /** The prefix, when this matches a prefix other than {@link #any()}; else {@code null}. */
    @Nullable
    String prefix() {
        return kind == Kind.PREFIX && this != ANY ? value : null;
    }

    boolean allocates() {
        return kind == Kind.REGEX;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " '" + value + "'";
    }
}
