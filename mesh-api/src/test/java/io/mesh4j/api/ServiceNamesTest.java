package io.mesh4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceNamesTest {

    @Test
    void shouldAcceptWhenNameIsAHostLabel() {
        assertThat(ServiceNames.isValid("orders")).isTrue();
        assertThat(ServiceNames.isValid("orders-v2.eu_1")).isTrue();
        assertThat(ServiceNames.isValid("a")).isTrue();
        assertThat(ServiceNames.isValid("a".repeat(253))).isTrue();
    }

    @Test
    void shouldRejectWhenNameCouldNeverMatchAHost() {
        assertThat(ServiceNames.isValid("")).isFalse();
        assertThat(ServiceNames.isValid("Orders")).isFalse();
        assertThat(ServiceNames.isValid("-orders")).isFalse();
        assertThat(ServiceNames.isValid("orders.")).isFalse();
        assertThat(ServiceNames.isValid("or ders")).isFalse();
        assertThat(ServiceNames.isValid("a".repeat(254))).isFalse();
    }
}
