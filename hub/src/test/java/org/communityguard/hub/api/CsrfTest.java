package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;

class CsrfTest {

    @Test
    void onlyMethodsThatCanChangeStateNeedTheToken() {
        assertThat(Csrf.needsToken(HttpMethod.GET)).isFalse();
        assertThat(Csrf.needsToken(HttpMethod.HEAD)).isFalse();
        assertThat(Csrf.needsToken(HttpMethod.OPTIONS)).isFalse();
        assertThat(Csrf.needsToken(HttpMethod.POST)).isTrue();
        assertThat(Csrf.needsToken(HttpMethod.PUT)).isTrue();
        assertThat(Csrf.needsToken(HttpMethod.PATCH)).isTrue();
        assertThat(Csrf.needsToken(HttpMethod.DELETE)).isTrue();
    }

    @Test
    void tokensMatchExactly() {
        String token = "Qm9vdHN0cmFwIHRva2VuIGZvciB0aGUgY29uc29sZQ";
        assertThat(Csrf.matches(token, token)).isTrue();
        assertThat(Csrf.matches(token, token.substring(1))).isFalse();
        assertThat(Csrf.matches(token, token.toLowerCase())).isFalse();
        assertThat(Csrf.matches(token, "")).isFalse();
        assertThat(Csrf.matches(token, null)).isFalse();
        assertThat(Csrf.matches(null, token)).isFalse();
    }

    @Test
    void theSessionCookieIsFoundAmongOthers() {
        var headers = new DefaultHttpHeaders().add("Cookie", "theme=dark; cg_session=abc-123_x; other=1");
        assertThat(Authenticator.cookie(headers, Authenticator.SESSION_COOKIE)).isEqualTo("abc-123_x");
        assertThat(Authenticator.cookie(new DefaultHttpHeaders(), Authenticator.SESSION_COOKIE)).isNull();
    }

    @Test
    void forwardedHeadersCountOnlyBehindATrustedProxy() {
        var headers = new DefaultHttpHeaders().add("X-Forwarded-For", "198.51.100.9, 10.1.1.1")
                .add("X-Forwarded-Proto", "https");
        assertThat(Peer.of("127.0.0.1", false, headers, false)).isEqualTo(new Peer("127.0.0.1", false));
        assertThat(Peer.of("127.0.0.1", false, headers, true)).isEqualTo(new Peer("10.1.1.1", true));
        assertThat(Peer.of("127.0.0.1", true, new DefaultHttpHeaders(), false).https()).isTrue();
    }
}
