package org.countersign.slack;

import static com.slack.api.model.block.Blocks.section;
import static com.slack.api.model.block.composition.BlockCompositions.markdownText;
import static com.slack.api.model.block.composition.BlockCompositions.plainText;
import static com.slack.api.model.block.element.BlockElements.button;
import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.slack.SlackRequests.HOSTILE;

import com.slack.api.model.block.LayoutBlock;
import java.util.List;
import java.util.stream.Stream;
import org.countersign.chat.Cards;
import org.countersign.domain.DeployResult;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Block Kit written without Gson is the very text Gson writes, for every card and every character. */
class BlockKitJsonTest {
    private final BlockKitCard renderer = new BlockKitCard();

    static Stream<SlackRequests> cards() {
        var longNote = HOSTILE.repeat(Workflow.NOTE_MAX / 3);
        var pending = SlackRequests.opened(TestPolicies.draft("security"));
        return Stream.concat(Stream.of(pending, pending.approve(TestPolicies.SRE1, "sre"),
                SlackRequests.opened(TestPolicies.draft("availability")).approved(),
                SlackRequests.opened(TestPolicies.draft("availability")).approved().deploying(),
                SlackRequests.opened(TestPolicies.draft("availability")).approved().deploying()
                        .deployEnded(DeployResult.FAILED, longNote).closed(longNote),
                SlackRequests.opened(SlackRequests.manyTeams(30), TestPolicies.draft("availability"))),
                BlockKitCardTest.worstCases());
    }

    @ParameterizedTest
    @MethodSource("cards")
    void a_card_is_written_as_gson_writes_it(SlackRequests request) {
        var blocks = renderer.render(new Cards(request.workflow()).of(request.request()));

        assertThat(BlockKitJson.withoutGson(blocks)).isEqualTo(BlockKitJson.GSON.toJson(blocks));
    }

    @Test
    void every_character_is_escaped_as_gson_escapes_it() {
        var all = new StringBuilder();
        for (char c = 0; c < 0x3000; c++) all.append(c);
        all.append("\u2028\u2029\uFFFF\uD83D\uDE80 <&>=' \"quoted\" back\\slash");
        List<LayoutBlock> blocks = List.of(section(s -> s.blockId("all").text(markdownText(all.toString()))),
                section(s -> s.fields(List.of(plainText(all.toString())))));

        assertThat(BlockKitJson.withoutGson(blocks)).isEqualTo(BlockKitJson.GSON.toJson(blocks));
    }

    @Test
    void what_the_card_never_holds_is_left_to_gson_whole() {
        for (List<LayoutBlock> blocks : List.of(
                List.<LayoutBlock>of(section(s -> s.text(markdownText("a")).accessory(button(b -> b.actionId("x"))))),
                List.<LayoutBlock>of(section(s -> s.text(plainText(p -> p.text("a").emoji(true))))),
                List.<LayoutBlock>of(com.slack.api.model.block.Blocks.actions(a -> a.elements(List.of(
                        button(b -> b.actionId("open").url("https://example.org").text(plainText("Open"))))))),
                List.<LayoutBlock>of(com.slack.api.model.block.Blocks.divider()))) {
            assertThat(BlockKitJson.withoutGson(blocks)).isNull();
            assertThat(BlockKitJson.write(blocks)).isEqualTo(BlockKitJson.GSON.toJson(blocks));
        }
    }
}
