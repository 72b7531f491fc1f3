package dev.changesetsyncer.codehost.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** Where a host's token may go. */
class ApiScopeTest {
    final ApiScope ghe = ApiScope.of("https://ghe.example.com/api/v3/");

    @Test
    void theSameSchemeHostPortAndAPathInsideTheApiAreInside() {
        assertThat(ghe.contains(URI.create("https://ghe.example.com/api/v3/repos/o/r/pulls?page=2"))).isTrue();
        assertThat(ghe.contains(URI.create("https://GHE.example.com:443/api/v3"))).isTrue();
    }

    @Test
    void anotherHostPortSchemePathOrAUserInfoIsOutside() {
        assertThat(ghe.contains(URI.create("https://evil.example.com/api/v3/repos"))).as("host").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com.evil.example/api/v3/repos"))).as("suffix").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com:8443/api/v3/repos"))).as("port").isFalse();
        assertThat(ghe.contains(URI.create("http://ghe.example.com/api/v3/repos"))).as("downgrade").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com/api/v30/repos"))).as("a prefix, not a path").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com/login"))).as("path").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com/api/v3/../../login"))).as("dot segments").isFalse();
        assertThat(ghe.contains(URI.create("https://ghe.example.com/api/v3/%2e%2e/%2E%2E/login"))).as("encoded").isFalse();
        assertThat(ghe.contains(URI.create("https://user@ghe.example.com/api/v3/repos"))).as("user info").isFalse();
        assertThat(ghe.contains(URI.create("/api/v3/repos"))).as("relative: resolve it first").isFalse();
    }

    @Test
    void plainHttpIsForLoopbackOnly() {
        assertThat(ApiScope.of("http://127.0.0.1:8080").contains(URI.create("http://127.0.0.1:8080/repos"))).isTrue();
        assertThat(ApiScope.of("http://localhost:9000/gitlab").below("/api/v4").toString())
                .isEqualTo("http://localhost:9000/gitlab/api/v4");
        assertThat(ApiScope.of("http://[::1]:8080").port()).isEqualTo(8080);
        assertThatThrownBy(() -> ApiScope.of("http://ghe.internal/api/v3"))
                .hasMessage("the code host's URL http://ghe.internal/api/v3 is plain http: its token would cross the "
                        + "network unencrypted; use https (http is allowed only on loopback)");
    }

    @Test
    void aUrlWithAPasswordIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> ApiScope.of("https://bot:hunter2-secret@gitlab.example.com"))
                .hasMessageContaining("must not carry a user name or password").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ApiScope.of("ftp://gitlab.example.com")).hasMessageContaining("must be https://");
    }
}
