"""Reading chat messages (bot/answering/chat.py): stated progress, questions, whose horizon, replies.

The inputs are what fans type in a channel: chatty, emoji-laden, misspelled, several questions at
once, progress stated in passing. The knowledge is tests/data/mini (rouge ep 1, gene-father eps 3
and 7, rouge-mother eps 5 and 8, late-twist ep 9, studio ep 0) unless said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.answering.chat import (
    MAX_QUESTIONS,
    ChatHorizon,
    Delivery,
    HorizonSource,
    Place,
    Voice,
    answer_questions,
    ask_lore,
    asks_anything,
    clean_message,
    delivery,
    horizon_footer,
    lowest_horizon,
    parse_progress,
    read_message,
    split_questions,
    stated_progress,
    strip_mentions,
    without_progress,
)
from bot.answering.lore import Answer, Lore, Suggestion
from bot.answering.matcher import Verdict
from bot.answering.render import MESSAGE_LIMIT

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
BOT = 424242


@pytest.fixture(scope="module")
def lore() -> Lore:
    return Lore.load(MINI)


# -- stated progress -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "episode", "rest"),
    [
        ("im on ep 6 who is rouges mom", 6, "who is rouges mom"),
        ("I'm on episode 6, who is Rouge's mother?", 6, "who is Rouge's mother?"),
        ("i’m currently on ep. 6 lol whos naomi", 6, "lol whos naomi"),
        ("only seen up to 9, who is eden", 9, "who is eden"),
        ("ive seen up to 9 who is eden", 9, "who is eden"),
        ("just finished ep 10!! whats the alter", 10, "whats the alter"),
        ("finished the 8th ep, who is eva", 8, "who is eva"),
        ("watched 3 eps, who is naomi", 3, "who is naomi"),
        ("seen the first 3 episodes. is gene a nean?", 3, "is gene a nean?"),
        ("3 eps in and who is gene??", 3, "and who is gene??"),
        ("no spoilers past 7 pls: who killed roy", 7, "pls: who killed roy"),
        ("who is the puppeteer (nothing after ep 7!)", 7, "who is the puppeteer"),
        ("no spoilers for ep 8 onwards, who is eden", 7, "who is eden"),
        ("ep6 rn who is the puppeteer", 6, "who is the puppeteer"),
        ("EP6 RN 😭 who is jean's dad", 6, "😭 who is jean's dad"),
        ("episode 4 so far... who is noid", 4, "who is noid"),
        ("Im on episode six 😭 who is jean's dad", 6, "😭 who is jean's dad"),
        ("on the sixth ep rn, who's ash", 6, "who's ash"),
        ("s1e4 rn who is cyan", 4, "who is cyan"),
        ("up to ep 5 what do we know about the nine", 5, "what do we know about the nine"),
        ("as of episode 5, who is gene", 5, "who is gene"),
        ("i haven't watched ep 9 yet, what is the alter", 8, "what is the alter"),
        ("i havent started yet lol who is rouge", 0, "lol who is rouge"),
        ("haven't seen any, who is rouge", 0, "who is rouge"),
        ("just started watching!! who is rouge", 1, "who is rouge"),
        ("on ep 3 what even is the alter", 3, "what even is the alter"),
        ("ep 3 here, who is naomi", 3, "who is naomi"),
        ("just started ep 3 who is naomi", 2, "who is naomi"),
        ("i just started watching episode 3, who is naomi", 2, "who is naomi"),
        ("who is jill? i'm only 3 in", 3, "who is jill?"),
        ("haven't seen past 4 who is jill", 4, "who is jill"),
        ("i havent watched anything beyond ep 4, who is jill", 4, "who is jill"),
        ("left off at 7 who dies", 7, "who dies"),
        ("who is jill, watching ep 2 now", 1, "who is jill, now"),
        ("halfway through ep 8 who is cyan", 7, "who is cyan"),
        ("im like halfway thru episode eight lol who is cyan", 7, "lol who is cyan"),
        ("im in the middle of episode 8, who is cyan", 7, "who is cyan"),
        ("currently on 7, who is eden", 7, "who is eden"),
        ("ep 2 done: who was on the bus", 2, "who was on the bus"),
        ("ok episode 6 finished, who is cyan", 6, "who is cyan"),
        ("only seen to ep 5, who is eden", 5, "who is eden"),
        ("watched to 5, who is eden", 5, "who is eden"),
    ],
)
def test_stated_progress_is_found_and_its_phrase_removed(text: str, episode: int, rest: str) -> None:
    found = parse_progress(text)
    assert found.episode == episode
    assert found.text == rest
    assert stated_progress(text) == episode and without_progress(text) == rest


@pytest.mark.parametrize(
    "text",
    [
        "what happens in ep 6?",
        "who dies in episode 9??",
        "ep 13 ending explained pls",
        "is eden in the first episode",
        "how many episodes are there",
        "what did gene do after ep 5",
        "why haven't the usurpers started the war yet?",
        "the war just started, who leads the usurpers",
        "rouge saw one of them in the club",
        "she reached 3 meters in the air, how",
        "what was rouge up to in ep 5",
        "is gene up to something?",
        "someone on ep 5 said naomi is a nean",
        "which episode reveals the alter",
        "how many eps in is the twist",
        "why haven't the usurpers gone past 4 planets",
        "what is rouge watching in ep 3",
        "who was killed by 2 gladiators",
        "was viola killed by rouge in ep 1",
        "the way ep 9 finished was wild, who is cyan",
        "why ep 4 finished like that",
        "who did rouge talk to in ep 5",
    ],
)
def test_a_question_about_an_episode_is_not_progress(text: str) -> None:
    found = parse_progress(text)
    assert found.episode is None, found.phrases
    assert found.text == text


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("so who really killed roy, finished it", "so who really killed roy"),
        ("ive seen the whole show, was roy evil", "was roy evil"),
        ("just finished the series!! who is the puppeteer", "who is the puppeteer"),
        ("who is eden, watched all 13 eps", "who is eden"),
        # the question's scope: the asker may not have seen that far, so no horizon is set
        ("which of the nine are dead by ep 7", "which of the nine are dead"),
        ("who died by the end of episode 4?", "who died?"),
    ],
)
def test_asides_set_no_horizon_and_their_words_are_not_matched(text: str, rest: str) -> None:
    found = parse_progress(text)
    assert found.episode is None
    assert found.text == rest


@pytest.mark.parametrize(
    "text",
    ["i havent finished it yet, who is eden", "who finished it", "has rouge seen it all before"],
)
def test_not_having_seen_it_all_is_left_alone(text: str) -> None:
    assert parse_progress(text).text == text


def test_a_bracket_the_statement_opened_keeps_no_stray_comma() -> None:
    found = parse_progress("how does the show end (finished it, just checking)")
    assert found.text == "how does the show end (just checking)"


def test_having_seen_it_all_does_not_lift_a_lower_statement() -> None:
    found = parse_progress("finished it all, im on ep 3 with my bf tho who is eden")
    assert found.episode == 3
    assert found.text == "with my bf tho who is eden"


def test_the_lowest_stated_progress_counts() -> None:
    assert stated_progress("im on ep 3 with my sister but just finished ep 10 alone") == 3
    assert stated_progress("im on ep 9, no spoilers past 7 pls") == 7


def test_removing_the_phrase_keeps_episode_entries_out() -> None:
    """Left in, "episode 7" draws the episode-7 guide into the question about Gene (Jean)."""
    real = Lore.load(ROOT / "knowledge")
    message = read_message(f"<@{BOT}> im on episode 7 who is jean??", bot_ids=[BOT])
    assert message.stated == 7 and message.questions == ("who is jean",)
    answer = real.ask(message.questions[0], upto=message.stated)
    assert answer.status is Verdict.ANSWERED and answer.entry is not None and answer.entry.id == "gene"
    assert not any(s.entry_id.startswith("episode-") for s in answer.suggestions)


# -- cleaning ------------------------------------------------------------------------------------
def test_clean_message_drops_the_bots_mention_and_other_markup() -> None:
    text = (
        f"<@{BOT}> hey <@!{BOT}> <@123> <@&456> <#789> @everyone <:pepeThink:1234567> <a:dance:42> "
        "**who** is ||rouge's mom|| https://example.org/metallic-rouge-episode-8 ?\nand the alter"
    )
    assert clean_message(text, [BOT]) == "hey who is rouge's mom ?\nand the alter"


def test_names_typed_as_text_are_dropped_too() -> None:
    assert clean_message("@LoreBot who is rouge? cc @some.friend") == "who is rouge? cc"
    assert read_message("@LoreBot im on ep 6 who is rouge's mom??").questions == ("who is rouge's mom",)


def test_strip_mentions_removes_only_the_given_users() -> None:
    assert strip_mentions(f"<@{BOT}> ask <@99>", [BOT]).split() == ["ask", "<@99>"]


# -- questions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "questions"),
    [
        (f"<@{BOT}> wait who was the black gladiator in ep 5??", ["who was the black gladiator in ep 5"]),
        (f"<@!{BOT}> who is rouge? and who is gene?", ["who is rouge", "who is gene"]),
        ("who is rouge and also what is the alter", ["who is rouge", "what is the alter"]),
        ("whos rouge and who is gene's dad", ["whos rouge", "who is gene's dad"]),
        ("how are rouge and gene related", ["how are rouge and gene related"]),
        ("lol this show is wild. who is naomi", ["who is naomi"]),
        ("hey bot, quick question: whats the asimov code 🤔", ["whats the asimov code 🤔"]),
        ("ok so like... is gene a nean?", ["is gene a nean"]),
        # "id" opens "id love to know" as chatter, but in the lore it is an ID
        ("whats an id", ["whats an id"]),
        ("neans vs. proto neans?", ["neans vs. proto neans"]),
        (f"<@{BOT}> and what about Gene?", ["what about Gene"]),
        ("wht is the alter", ["what is the alter"]),
        ("whos eden. whats the alter. who is noid", ["whos eden", "whats the alter", "who is noid"]),
        ("who voices rouge / who voices naomi", ["who voices rouge", "who voices naomi"]),
        # "it" is as often the show as the thing before it: asked apart
        ("what studio made it, when did it air", ["what studio made it", "when did it air"]),
        # a question about someone named before, or going on from the one before, stays with it:
        # alone, "is she human" names no one and "not a nean" asks what Neans are
        ("who is naomi? is she human?", ["who is naomi? is she human"]),
        ("jean yunghart is human right? not a nean?", ["jean yunghart is human right? not a nean"]),
        # but a pronoun after the question's own first clause points inside it
        (
            "what is the liquid tank? and who is eva cristella, i saw her name on the site",
            ["what is the liquid tank", "who is eva cristella, i saw her name on the site"],
        ),
        ("who is rouge? what about her, is she a nean", ["who is rouge? what about her, is she a nean"]),
        ("who is eden & who is graufon", ["who is eden", "who is graufon"]),
        ("what does chau warn gene about + was naomi the mole", ["what does chau warn gene about", "was naomi the mole"]),
        # a yes/no question about the one just asked about stays with it in chat
        ("whos the girl w the blue hair and is she evil", ["whos the girl w the blue hair? is she evil"]),
        # "it" is as often the show: not split off
        ("why does rouge hunt the nine and is it for roy", ["why does rouge hunt the nine and is it for roy"]),
        ("tell me about the immortal nine", ["tell me about the immortal nine"]),
        ("i wonder who rouge's mom is", ["i wonder who rouge's mom is"]),
        ("WHO IS ROUGE'S MOM 😭😭😭", ["WHO IS ROUGE'S MOM 😭😭😭"]),
        ("who is rouge?\nwho is rouge?", ["who is rouge"]),
        ("omg!!! who made this show", ["who made this show"]),
        # a question word with its apostrophe is still a question word, "?" or not
        ("lol this show is wild. who's naomi", ["who's naomi"]),
        ("ok what’s the op called, its stuck in my head", ["what's the op called, its stuck in my head"]),
        (f"<@{BOT}> black gladiator", ["black gladiator"]),
    ],
)
def test_questions_are_split_out_of_chat(text: str, questions: list[str]) -> None:
    assert list(read_message(text, bot_ids=[BOT]).questions) == questions


@pytest.mark.parametrize(
    "text",
    [
        f"<@{BOT}>",
        f"<@{BOT}> thanks!!",
        f"<@{BOT}> good bot 👍",
        f"<@{BOT}> you're the best bot ever",
        "lol what?",
        "is that true?",
        "😂😂😂",
        "gm guys",
        "ok",
        "@everyone",
        "ty that helped a lot",
        f"<@{BOT}> im on ep 6",
    ],
)
def test_chatter_asks_nothing(text: str) -> None:
    assert not asks_anything(text)
    assert read_message(text, bot_ids=[BOT]).questions == ()


def test_a_long_text_without_a_question_form_is_a_question_only_when_asked_to_be() -> None:
    """A mention that only chats is not read as a question; "Answer with lore" on it is."""
    text = "the black gladiator fight in the club was honestly the coolest thing in the whole show"
    assert len(read_message(text).cleaned.split()) > 4
    assert split_questions(text) == []
    assert split_questions(text, topic_words=None) == [text]
    message = read_message(text, topic_words=None)
    assert message.questions == (text,) and message.question_form is False
    assert read_message("who is rouge").question_form is True


def test_reading_is_bounded_for_very_long_messages() -> None:
    text = "who is rouge? " * 1000
    assert read_message(text).questions == ("who is rouge",)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    ["i have " * 300, "ive just " * 250, "i havent " * 250, "no spoilers for " * 150, "im on " * 400, "who and " * 300],
)
def test_hostile_repetition_cannot_make_reading_slow(text: str) -> None:
    """Each of these took hours with a nested repetition in a pattern ("i have" and "i" + "have");
    read in linear time, each takes milliseconds."""
    read_message(f"<@{BOT}> {text}", bot_ids=[BOT])


def test_have_seen_is_still_progress() -> None:
    assert stated_progress("i have seen up to 9, who is eden") == 9
    assert stated_progress("I've only just finished episode 4") == 4


# -- whose horizon -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stated", "author", "picker", "expected"),
    [
        (None, None, None, ChatHorizon(None, HorizonSource.NONE)),
        (6, None, None, ChatHorizon(6, HorizonSource.STATED)),
        (None, 3, 13, ChatHorizon(3, HorizonSource.AUTHOR)),
        (None, 13, 3, ChatHorizon(3, HorizonSource.PICKER)),
        (9, 3, 13, ChatHorizon(3, HorizonSource.AUTHOR)),
        (2, 3, 13, ChatHorizon(2, HorizonSource.STATED)),
        (5, 5, 5, ChatHorizon(5, HorizonSource.STATED)),  # a tie names the message
        (None, None, 0, ChatHorizon(0, HorizonSource.PICKER)),
    ],
)
def test_the_lowest_known_horizon_wins(stated: int | None, author: int | None, picker: int | None, expected: ChatHorizon) -> None:
    assert lowest_horizon(stated=stated, author=author, picker=picker) == expected


@pytest.mark.parametrize(
    ("horizon", "voice", "footer"),
    [
        (ChatHorizon(6, HorizonSource.STATED), Voice.AUTHOR, "-# As of episode 6, as you said."),
        (ChatHorizon(6, HorizonSource.STATED), Voice.PICKER, "-# As of episode 6, as the message says."),
        (ChatHorizon(3, HorizonSource.AUTHOR), Voice.AUTHOR, "-# As of episode 3, the progress you saved with /progress."),
        (ChatHorizon(3, HorizonSource.AUTHOR), Voice.PICKER, "-# As of episode 3, the progress its author saved with /progress."),
        (
            ChatHorizon(4, HorizonSource.PICKER),
            Voice.PICKER,
            "-# As of episode 4, the progress saved with /progress by the member who asked me to answer.",
        ),
        (ChatHorizon(0, HorizonSource.STATED), Voice.AUTHOR, "-# Before episode 1, as you said."),
    ],
)
def test_the_footer_says_which_horizon_and_why(horizon: ChatHorizon, voice: Voice, footer: str) -> None:
    assert horizon_footer(horizon, voice=voice) == footer


def test_the_footer_without_a_horizon_says_how_to_set_one() -> None:
    footer = horizon_footer(ChatHorizon(None, HorizonSource.NONE))
    assert footer.startswith("-# Whole series, later reveals in spoiler bars.") and "im on ep 6" in footer


# -- who sees a reply ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("place", "answered", "expected"),
    [
        (Place.MENTION, True, Delivery.PUBLIC),
        (Place.MENTION, False, Delivery.NONE),  # never a public "I don't know"
        (Place.MENU, True, Delivery.PUBLIC),
        (Place.MENU, False, Delivery.PRIVATE),
        (Place.DM, True, Delivery.PRIVATE),
        (Place.DM, False, Delivery.PRIVATE),
    ],
)
def test_who_sees_a_reply(place: Place, answered: bool, expected: Delivery) -> None:
    assert delivery(place, answered=answered) is expected


# -- answering -----------------------------------------------------------------------------------
def test_a_stated_horizon_gates_the_answer(lore: Lore) -> None:
    message = read_message(f"<@{BOT}> im on ep 6 lol who is rouges mom??", bot_ids=[BOT])
    reply = answer_questions(lore, message.questions, horizon=lowest_horizon(stated=message.stated, author=None), spoiler_free=0)
    assert reply.answered and reply.key == "chat:rouge-mother"
    assert "Eva" not in reply.text and "(ep 8)" not in reply.text
    assert reply.text.endswith("-# As of episode 6, as you said.")
    assert reply.text.startswith("**Who is Rouge's mother?**\n||Rouge and Gene share a mother")


def test_two_questions_are_both_answered(lore: Lore) -> None:
    reply = answer_questions(lore, ["whos rouge", "who is gene's dad"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert reply.answered and reply.key == "chat:rouge+gene-father"
    first, second = reply.text.split("\n\n")
    assert first.startswith("**||Who is Rouge Redstar?||**") and second.startswith("**||Who is Gene's father?||**")


def test_an_unanswered_question_beside_an_answered_one_gets_one_neutral_line(lore: Lore) -> None:
    """Unknown, not revealed yet or unsure: the same line, so it tells nothing about later episodes."""
    horizon = ChatHorizon(3, HorizonSource.STATED)
    lines = []
    for other in ("what is the alter", "who voices naruto"):  # the alter: ep 9; naruto: unknown
        reply = answer_questions(lore, ["who is rouge", other], horizon=horizon, spoiler_free=0)
        assert reply.answered
        lines.append(reply.text.split("\n")[-2].replace(other, "Q"))
    assert lines[0] == lines[1] == "-# Nothing I can tell you about “Q” here; try /ask with other words."


def test_a_question_pointing_back_to_a_thing_is_asked_after_the_one_before(lore: Lore) -> None:
    # Alone, "is that ever revealed" has no answer; after the question before it, it has.
    reply = answer_questions(lore, ["who is rouges mother", "is that ever revealed"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert reply.answered and reply.key == "chat:rouge-mother" and reply.misses == ()
    assert "Nothing I can tell you" not in reply.text and reply.text.count("**||Who is Rouge's mother?||**") == 1


def test_nothing_answered_is_not_worth_posting(lore: Lore) -> None:
    reply = answer_questions(lore, ["who voices naruto in the dub"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert not reply.answered and reply.key == "chat:-"
    assert reply.text.startswith("I don't know the answer to “who voices naruto in the dub” yet.")
    assert reply.misses == ("who voices naruto in the dub",)


def test_a_part_without_an_answer_inside_an_answered_question_is_a_miss(lore: Lore) -> None:
    # Handed to the lore service as one question, it answers the part it can and names the other.
    reply = answer_questions(lore, ["who is rouge and who is zorblax the great"], horizon=ChatHorizon(4, HorizonSource.STATED), spoiler_free=0)
    assert reply.answered and reply.misses == ("who is zorblax the great",)


def test_the_same_entry_asked_twice_is_answered_once(lore: Lore) -> None:
    reply = answer_questions(lore, ["rouge mom", "who is rouges mother"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert reply.text.count("**||Who is Rouge's mother?||**") == 1


def test_more_questions_than_answered_are_named(lore: Lore) -> None:
    questions = ["who is rouge", "who is gene's dad", "what is the alter"]
    reply = answer_questions(lore, questions, horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert reply.questions == tuple(questions[:MAX_QUESTIONS]) and reply.skipped == 1
    assert "-# I answered the first 2 questions; ask the others separately." in reply.text
    assert "Alter" not in reply.text


def test_the_server_horizon_still_decides_the_bars(lore: Lore) -> None:
    reply = answer_questions(lore, ["rouge mom"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=5)
    assert "\nRouge and Gene share a mother; her identity is unrevealed. (ep 5)\n" in reply.text
    assert "||Her mother is the scientist Eva Cristella.|| (ep 8)" in reply.text


# -- the seam to the lore service ----------------------------------------------------------------
@dataclass
class RecordingLore:
    """A lore service whose answers depend on (question, upto, spoiler_free) only, and are long."""

    calls: list[tuple[str, int | None, int]] = field(default_factory=list)
    lines: int = 40

    def ask(self, question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
        self.calls.append((question, upto, spoiler_free))
        if "unknown" in question:
            return Answer(Verdict.UNKNOWN, f"I don't know {question}")
        from bot.knowledge.model import Entry, Reveal

        entry = Entry(id=question.replace(" ", "-"), question=question, reveals=(Reveal(1, "x", ()),))
        body = [f"**{question}?**", *(f"||secret line {n} of {question} " + "x" * 60 + f"|| (ep {n})" for n in range(self.lines))]
        return Answer(Verdict.ANSWERED, "\n".join([*body, "-# See also: nothing"]), entry, episode=1)


def test_every_answer_goes_through_ask_lore_at_the_exchange_horizon() -> None:
    service = RecordingLore(lines=1)
    assert ask_lore(service, "q", upto=4, spoiler_free=2).status is Verdict.ANSWERED
    answer_questions(service, ["a", "b", "c"], horizon=ChatHorizon(4, HorizonSource.AUTHOR), spoiler_free=2)
    assert service.calls == [("q", 4, 2), ("a", 4, 2), ("b", 4, 2)]


@pytest.mark.parametrize("limit", [MESSAGE_LIMIT, 1800, 700, 300])
def test_long_answers_are_shortened_by_whole_lines_and_never_open_a_spoiler_bar(limit: int) -> None:
    reply = answer_questions(
        RecordingLore(), ["first one", "second one"], horizon=ChatHorizon(2, HorizonSource.STATED), spoiler_free=0, limit=limit
    )
    assert len(reply.text) <= limit
    for line in reply.text.split("\n"):
        assert line.count("||") % 2 == 0, line
    assert reply.text.endswith("-# As of episode 2, as you said.")
    assert reply.text.startswith("**first one?**")


def test_two_long_answers_share_the_room() -> None:
    reply = answer_questions(RecordingLore(), ["first one", "second one"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert "**first one?**" in reply.text and "**second one?**" in reply.text
    assert reply.text.count("-# (shortened to fit one message)") == 2


def test_answers_with_no_room_fall_back_to_the_first_question() -> None:
    reply = answer_questions(
        RecordingLore(lines=3), ["first one", "second one"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0, limit=420
    )
    assert len(reply.text) <= 420
    assert "**first one?**" in reply.text and "**second one?**" not in reply.text
    assert "I answered only the first question" in reply.text


def test_a_did_you_mean_keeps_its_choices() -> None:
    answer = Answer(Verdict.SUGGEST, "did you mean", suggestions=(Suggestion("rouge", "Who is Rouge?", 70.0),))

    class One:
        def ask(self, question: str, *, upto: int | None = None, spoiler_free: int = 0) -> Answer:
            return answer

    reply = answer_questions(One(), ["rouge?"], horizon=ChatHorizon(None, HorizonSource.NONE), spoiler_free=0)
    assert not reply.answered and reply.misses == ()
    assert reply.suggestions == answer.suggestions
    assert reply.text.startswith("did you mean\n-# Whole series")
