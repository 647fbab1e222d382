package io.mesh4j.api.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a return value, parameter or field that may be {@code null}. Everything else in a package annotated with
 * {@link NonNullByDefault} is non-null. Mesh4j defines its own annotation so that {@code mesh-api} depends on
 * nothing outside the JDK.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.PARAMETER, ElementType.FIELD})
public @interface Nullable {
}
