package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvWriterTest {

    @Test
    void plainFieldsAreWrittenAsTheyAreWithCrlfAfterEachRecord() {
        String csv = new CsvWriter().row(List.of("grid", "incidents")).row(List.of("G1", "2")).toString();
        assertThat(csv).isEqualTo("grid,incidents\r\nG1,2\r\n");
    }

    @Test
    void fieldsWithSeparatorsQuotesOrLineBreaksAreQuotedAndQuotesDoubled() {
        String csv = new CsvWriter().row(List.of("a,b", "say \"hi\"", "two\nlines", "cr\rhere", "plain")).toString();
        assertThat(csv).isEqualTo("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",plain\r\n");
    }

    @Test
    void nullAndEmptyFieldsAreEmpty() {
        assertThat(new CsvWriter().row(Arrays.asList("x", null, "", "y")).toString()).isEqualTo("x,,,y\r\n");
    }

    @Test
    void textThatASpreadsheetWouldRunAsAFormulaIsDefused() {
        assertThat(CsvWriter.text("=HYPERLINK(\"http://x\")")).isEqualTo("'=HYPERLINK(\"http://x\")");
        assertThat(CsvWriter.text("+1")).isEqualTo("'+1");
        assertThat(CsvWriter.text("-1")).isEqualTo("'-1");
        assertThat(CsvWriter.text("@SUM(A1)")).isEqualTo("'@SUM(A1)");
        assertThat(CsvWriter.text("\tx")).isEqualTo("'\tx");
        assertThat(CsvWriter.text("G1")).isEqualTo("G1");
        assertThat(CsvWriter.text("网格一")).isEqualTo("网格一");
        assertThat(CsvWriter.text("")).isEmpty();
        assertThat(CsvWriter.text(null)).isNull();
    }

    @Test
    void numbersHaveNoExponentNorTrailingZero() {
        assertThat(CsvWriter.number(240.0)).isEqualTo("240");
        assertThat(CsvWriter.number(42L)).isEqualTo("42");
        assertThat(CsvWriter.number(33.33)).isEqualTo("33.33");
        assertThat(CsvWriter.number(12345678.5)).isEqualTo("12345678.5");
        assertThat(CsvWriter.number(0.0001)).isEqualTo("0.0001");
        assertThat(CsvWriter.number(null)).isEmpty();
    }

    /** Found by CsvExportFuzzTest: NaN and infinity (a float8 column can hold them) threw NumberFormatException: a 500. */
    @Test
    void aNumberThatIsNoNumberIsAnEmptyField() {
        assertThat(CsvWriter.number(Double.NaN)).isEmpty();
        assertThat(CsvWriter.number(Double.POSITIVE_INFINITY)).isEmpty();
        assertThat(CsvWriter.number(Double.NEGATIVE_INFINITY)).isEmpty();
    }
}
