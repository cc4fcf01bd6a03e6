package org.communityguard.hub.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.communityguard.hub.api.HttpError;
import org.junit.jupiter.api.Test;

/** A photo's type comes from its bytes, never from the client. */
class PhotoTest {

    static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0};
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    static final byte[] WEBP = {'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', ' '};

    @Test
    void acceptsJpegPngAndWebpByTheirSignatures() {
        assertThat(Photo.of(JPEG).contentType()).isEqualTo("image/jpeg");
        assertThat(Photo.of(PNG).contentType()).isEqualTo("image/png");
        assertThat(Photo.of(WEBP).contentType()).isEqualTo("image/webp");
    }

    @Test
    void refusesAnythingElseWhateverItIsCalled() {
        byte[] html = "<html><script>alert(1)</script></html>".getBytes(StandardCharsets.US_ASCII);
        byte[] gif = "GIF89a....".getBytes(StandardCharsets.US_ASCII);
        byte[] riffWave = {'R', 'I', 'F', 'F', 36, 0, 0, 0, 'W', 'A', 'V', 'E'};

        for (byte[] b : new byte[][] {html, gif, riffWave, {(byte) 0xFF, (byte) 0xD8}}) {
            assertThatThrownBy(() -> Photo.of(b)).isInstanceOf(HttpError.class)
                    .hasMessage("'photo' must be a JPEG, PNG or WebP image (checked by its content)");
        }
    }

    @Test
    void refusesEmptyAndOversizedPhotos() {
        assertThatThrownBy(() -> Photo.of(new byte[0])).hasMessage("'photo' is empty");
        byte[] big = new byte[Photo.MAX_BYTES + 1];
        System.arraycopy(JPEG, 0, big, 0, JPEG.length);
        assertThatThrownBy(() -> Photo.of(big)).isInstanceOf(HttpError.class)
                .satisfies(e -> assertThat(((HttpError) e).status()).isEqualTo(413));
        byte[] justRight = new byte[Photo.MAX_BYTES];
        System.arraycopy(JPEG, 0, justRight, 0, JPEG.length);
        assertThat(Photo.of(justRight).sha256()).hasSize(32);
    }
}
