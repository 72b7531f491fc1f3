package dev.changesetsyncer.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Database URLs in messages never show a password, wherever the URL carries it. */
class JdbcUrlsTest {
    @Test
    void aPasswordInTheUserInfoIsRedactedLikeAPasswordParameter() {
        assertThat(JdbcUrls.redact("jdbc:postgresql://syncer:s3cret@db.internal:5432/changeset_syncer"))
                .isEqualTo("jdbc:postgresql://syncer:***@db.internal:5432/changeset_syncer");
        assertThat(JdbcUrls.redact("jdbc:postgresql://db/x?user=syncer&password=s3cret&sslpassword=k3y&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/x?user=syncer&password=***&sslpassword=***&ssl=true");
        assertThat(JdbcUrls.redact("jdbc:postgresql://syncer@db/x")).isEqualTo("jdbc:postgresql://syncer@db/x");
    }

    @Test
    void thePasswordIsFoundForTheScrubberOfSecrets() {
        assertThat(JdbcUrls.password("jdbc:postgresql://syncer:s3cret@db/x")).hasValue("s3cret");
        assertThat(JdbcUrls.password("jdbc:postgresql://db/x?user=u&password=p%40ss")).hasValue("p%40ss");
        assertThat(JdbcUrls.password("jdbc:postgresql://db/x?user=u")).isEmpty();
    }
}
