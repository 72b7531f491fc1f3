package dev.changesetsyncer.codehost.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Timestamps as the hosts write them, and the ones no host can mean. */
class JsonFieldsTest {
    static JsonFields fields(String json) throws Exception {
        return new JsonFields(new ObjectMapper().readTree(json), "GET /pulls/1 (200)");
    }

    @Test
    void readsIsoTimestampsBitbucketOffsetsAndEpochMillis() throws Exception {
        JsonFields f = fields("""
                {"github": "2011-01-26T19:01:12Z", "bitbucket": "2018-07-05T19:33:14+0000", "millis": 1530819194000}""");
        assertThat(f.instant("github")).isEqualTo(Instant.parse("2011-01-26T19:01:12Z"));
        assertThat(f.instant("bitbucket")).isEqualTo(Instant.parse("2018-07-05T19:33:14Z"));
        assertThat(f.instant("millis")).isEqualTo(Instant.parse("2018-07-05T19:33:14Z"));
        assertThat(f.instantOrNull("absent")).isNull();
    }

    @Test
    void timesNoHostCanMeanAreUnreadableNotStored() throws Exception {
        JsonFields f = fields("""
                {"far": "+300000-01-01T00:00:00Z", "negative": -5, "huge": 9223372036854775807, "junk": "yesterday"}""");
        assertThatThrownBy(() -> f.instant("far")).isInstanceOf(UnreadableResponseException.class)
                .hasMessage("GET /pulls/1 (200): field far is not a plausible time: +300000-01-01T00:00:00Z");
        assertThatThrownBy(() -> f.instantOrNull("negative")).isInstanceOf(UnreadableResponseException.class);
        assertThatThrownBy(() -> f.instantOrNull("huge")).isInstanceOf(UnreadableResponseException.class);
        assertThatThrownBy(() -> f.instant("junk")).hasMessageContaining("field junk is not a timestamp: \"yesterday\"");
    }
}
