package dev.changesetsyncer.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hosts' own worked examples (see the fixtures README, section 5.4). */
class SignaturesTest {
    static final List<Secret> TEST_SECRET = List.of(new Secret("changeset-syncer-test-secret"));

    @Test
    void gitHubsDocumentedExampleVerifies() {
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        String header = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        assertThat(Signatures.hubSignatureMatches(header, body, List.of(new Secret("It's a Secret to Everybody")))).isTrue();
        assertThat(Signatures.hubSignature("It's a Secret to Everybody".getBytes(StandardCharsets.UTF_8), body)).isEqualTo(header);
    }

    @Test
    void theFixtureReadmesExamplesVerifyOverTheExactBytes() {
        byte[] small = "{\"action\":\"opened\",\"number\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] fixture = Fixtures.text("github/webhooks/pull_request.opened.json").getBytes(StandardCharsets.UTF_8);

        assertThat(fixture).hasSize(28_011);
        assertThat(Signatures.hubSignatureMatches(
                "sha256=505c411230bcded3b656b1adcf8a92ee0b50ca9dcaaa89d94ae433b5cb147625", small, TEST_SECRET)).isTrue();
        assertThat(Signatures.hubSignatureMatches(
                "sha256=a7f9408b0e5054a009164e4ad03080dab4ac7d70fb4aa3227cdcef91750317a8", fixture, TEST_SECRET)).isTrue();
    }

    @Test
    void anythingElseFails() {
        byte[] body = "{\"action\":\"opened\",\"number\":1}".getBytes(StandardCharsets.UTF_8);
        String good = "sha256=505c411230bcded3b656b1adcf8a92ee0b50ca9dcaaa89d94ae433b5cb147625";

        assertThat(Signatures.hubSignatureMatches(null, body, TEST_SECRET)).isFalse();
        assertThat(Signatures.hubSignatureMatches(good.replace("sha256=", "sha1="), body, TEST_SECRET)).isFalse();
        assertThat(Signatures.hubSignatureMatches(good.substring(0, good.length() - 2), body, TEST_SECRET)).isFalse();
        assertThat(Signatures.hubSignatureMatches("sha256=not-hex", body, TEST_SECRET)).isFalse();
        assertThat(Signatures.hubSignatureMatches(good, "{\"action\":\"opened\",\"number\":2}".getBytes(StandardCharsets.UTF_8),
                TEST_SECRET)).isFalse();
        assertThat(Signatures.hubSignatureMatches(good, body, List.of(new Secret("another")))).isFalse();
    }

    @Test
    void eitherOfTwoSecretsVerifies() {
        byte[] body = "{\"action\":\"opened\",\"number\":1}".getBytes(StandardCharsets.UTF_8);
        String good = "sha256=505c411230bcded3b656b1adcf8a92ee0b50ca9dcaaa89d94ae433b5cb147625";

        assertThat(Signatures.hubSignatureMatches(good, body, List.of(new Secret("new"), TEST_SECRET.getFirst()))).isTrue();
        assertThat(Signatures.tokenMatches("changeset-syncer-test-secret", List.of(new Secret("new"), TEST_SECRET.getFirst())))
                .isTrue();
    }

    @Test
    void aGitLabTokenMustBeTheSecretItself() {
        assertThat(Signatures.tokenMatches("changeset-syncer-test-secret", TEST_SECRET)).isTrue();
        assertThat(Signatures.tokenMatches("changeset-syncer-test-secre", TEST_SECRET)).isFalse();
        assertThat(Signatures.tokenMatches("changeset-syncer-test-secret ", TEST_SECRET)).isFalse();
        assertThat(Signatures.tokenMatches(null, TEST_SECRET)).isFalse();
    }
}
