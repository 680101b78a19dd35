"""The custom Rasa components, driven with Rasa's own message and tracker objects."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.plugins.components.language_detector import LanguageDetector
from bot.conversation.languages import metadata_language
from bot.plugins.components.followup_policy import FollowUpPolicy
from bot.plugins.components.language_policy import LanguagePolicy
from bot.plugins.components.language_tokenizer import LanguageAwareTokenizer
from bot.plugins.components.unsupported_language import UnsupportedLanguageRouter
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))


def detect(text):
    message = Message(data={"text": text})
    LanguageDetector().process([message])
    return message


def test_detection_is_part_of_the_parse_result():
    message = detect("Où se déroule la conférence ?")
    assert message.get("language")["code"] == "fr"
    assert "language" in message.as_dict(only_output_properties=True)


@pytest.fixture(scope="module")
def tokenizer():
    return LanguageAwareTokenizer(LanguageAwareTokenizer.get_default_config())


def test_tokenizer_uses_the_language_rules_and_lemmas(tokenizer):
    tokens = tokenizer.tokenize(detect("Où sont les organisateurs de l'événement ?"), "text")
    assert [t.text for t in tokens][-3:] == ["de", "l'", "événement"]
    english = tokenizer.tokenize(detect("Who spoke at the opening ceremonies?"), "text")
    assert "speak" in [t.lemma for t in english]
    assert "ceremony" in [t.lemma for t in english]


def test_tokenizer_handles_text_that_is_only_punctuation(tokenizer):
    assert [t.text for t in tokenizer.tokenize(detect("?!"), "text")] == ["?!"]


def test_router_overrides_intent_only_for_unsupported_languages():
    router = UnsupportedLanguageRouter({})
    italian = detect("Buongiorno, dove si trova la conferenza sulle migrazioni?")
    italian.set("intent", {"name": "ask_venue", "confidence": 0.7})
    french = detect("Où se déroule la conférence sur les migrations ?")
    french.set("intent", {"name": "ask_venue", "confidence": 0.7})
    router.process([italian, french])
    assert italian.get("intent")["name"] == "unsupported_language"
    assert french.get("intent")["name"] == "ask_venue"


def tracker_with(text, intent, language=None, metadata=None, entities=()):
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": list(entities),
             "language": detect(text).get("language")}
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    if language:
        events.append(SlotSet("language", language))
    events.append(UserUttered(text, parse_data=parse, metadata=metadata))
    return DialogueStateTracker.from_events("test", events, slots=DOMAIN.slots)


@pytest.fixture(scope="module")
def policy():
    return LanguagePolicy.create(LanguagePolicy.get_default_config(), None, None, _Context())


class _Context:
    is_finetuning = False


def slot_events(policy, tracker):
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    assert max(prediction.probabilities) == 0.0  # never chooses an action
    return [e for e in prediction.events if isinstance(e, SlotSet)]


def test_policy_sets_the_language_of_a_full_sentence(policy):
    assert slot_events(policy, tracker_with("Wo findet die Konferenz statt?", "ask_venue")) == [SlotSet("language", "de")]


def test_policy_keeps_the_language_through_short_messages(policy):
    assert slot_events(policy, tracker_with("merci", "thank", language="fr")) == []


def test_policy_uses_channel_metadata_at_the_start(policy):
    tracker = tracker_with("ok", "acknowledge", metadata={"language": "ar"})
    assert slot_events(policy, tracker) == [SlotSet("language", "ar")]


def test_policy_follows_a_button_payload(policy):
    tracker = tracker_with('/set_language{"language":"es"}', "set_language", language="en",
                           entities=[{"entity": "language", "value": "es"}])
    assert slot_events(policy, tracker) == [SlotSet("language", "es")]


@pytest.mark.parametrize(
    "metadata, expected",
    [({"language": "fr"}, "fr"), ({"language_code": "nl-BE"}, "nl-BE"), ({"locale": "de_DE"}, "de_DE"),
     ({}, None), (None, None), ("fr", None), ({"language": 3}, None)],
)
def test_metadata_language(metadata, expected):
    assert metadata_language(metadata) == expected


def first_message(text, detection, metadata=None):
    parse = {"intent": {"name": "greet", "confidence": 0.9}, "entities": [], "language": detection}
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
              UserUttered(text, parse_data=parse, metadata=metadata, message_id="m1")]  # from a channel
    return DialogueStateTracker.from_events("offer", events, slots=DOMAIN.slots)


AMBIGUOUS = {"code": "de", "confidence": 0.55, "reliable": False, "words": 1, "alternative": "nl", "lexicon": None}


def test_an_ambiguous_first_message_is_answered_in_the_likelier_language_with_the_other_offered(policy):
    tracker = first_message("Hallo", AMBIGUOUS)
    assert slot_events(policy, tracker) == [SlotSet("language", "de"), SlotSet("language_offer", "nl")]
    for event in slot_events(policy, tracker):
        tracker.update(event)
    tracker.update(ActionExecuted("utter_greet"))
    offer = policy.predict_action_probabilities(tracker, DOMAIN)
    assert DOMAIN.action_names_or_texts[offer.probabilities.index(1.0)] == "utter_offer_language"
    tracker.update(ActionExecuted("utter_offer_language"))
    listen = policy.predict_action_probabilities(tracker, DOMAIN)
    assert DOMAIN.action_names_or_texts[listen.probabilities.index(1.0)] == "action_listen"
    assert SlotSet("language_offer", None) in listen.events


def test_no_offer_when_the_channel_says_the_language_or_the_message_is_clear(policy):
    assert slot_events(policy, first_message("Hallo", AMBIGUOUS, metadata={"language": "nl"})) == [
        SlotSet("language", "nl")]
    clear = {**AMBIGUOUS, "reliable": True, "alternative": None}
    assert slot_events(policy, first_message("Guten Morgen zusammen", clear)) == [SlotSet("language", "de")]


def test_no_offer_after_a_custom_action_that_failed(policy):
    tracker = first_message("Hallo", AMBIGUOUS)
    for event in slot_events(policy, tracker):
        tracker.update(event)
    tracker.update(ActionExecuted("action_answer"))  # no event after it: the action server failed
    assert max(policy.predict_action_probabilities(tracker, DOMAIN).probabilities) == 0.0


@pytest.fixture(scope="module")
def followups():
    config = {**FollowUpPolicy.get_default_config(), "never": ["greet", "thank"],
              "facet_only": ["acknowledge", "show_more"], "facet_pointing": ["request_human"],
              "facet_question": ["set_language"],
              "named_subject": ["nlu_fallback", "help"], "greeting_naming": ["greet"],
              "unsure_naming": ["goodbye", "acknowledge"], "unsure_below": 0.8,
              "pointing_question": ["thank", "acknowledge", "bot_challenge", "show_more"]}
    return FollowUpPolicy.create(config, None, None, _Context())


def chosen(policy, tracker):
    prediction = policy.predict_action_probabilities(tracker, DOMAIN)
    if max(prediction.probabilities) == 0.0:
        return None
    return DOMAIN.action_names_or_texts[prediction.probabilities.index(1.0)]


def after_un_habitat(text, intent):
    tracker = tracker_with("Tell me about UN-Habitat", "ask_organisers", language="en")
    tracker.update(ActionExecuted("action_answer"))
    tracker.update(SlotSet("subject", "organisers:un_habitat"))
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, parse_data={"intent": {"name": intent, "confidence": 0.4}}))
    return tracker


@pytest.mark.parametrize("text, intent, action", [
    ("Who was in charge of it back then?", "nlu_fallback", "action_answer"),
    ("ok and its headquarters?", "acknowledge", "action_answer"),
    ("ok that's it", "acknowledge", None),
    ("thanks for that", "thank", None),
    ("/ask_venue", "ask_venue", None),
    ("Where is the venue?", "ask_venue", None),
    ("who led it?", "request_human", "action_answer"),
    ("can I talk to someone in charge?", "request_human", None),
    ("and its headquarters, in French?", "set_language", "action_answer"),
    ("in French please", "set_language", None),
    ("is it legally binding?", "bot_challenge", "action_answer"),
    ("are you a bot?", "bot_challenge", None),
    ("thanks, and is it still active?", "thank", "action_answer"),
    ("thanks for it", "thank", None),
    ("thanks, who led it", "thank", "action_answer"),  # no question mark: a facet it answers
    ("thanks, its budget", "thank", None),  # no question mark, a facet it has no answer for
    ("how many staff do they have?", "out_of_scope", "action_answer"),
    ("tell me a joke", "out_of_scope", None),
    ("tell me more about it", "show_more", "action_answer"),  # more, pointing at the subject
    ("show me more", "show_more", None),  # the listing's next page
    ("and what else is there, its headquarters", "show_more", "action_answer"),  # a facet named
    ("and which is its headquarters, in French", "set_language", "action_answer"),  # a question word, no "?"
    ("in French please", "set_language", None),
])
def test_follow_ups_go_to_the_knowledge_action_whatever_the_intent(followups, text, intent, action):
    assert chosen(followups, after_un_habitat(text, intent)) == action


def test_without_a_remembered_subject_nothing_is_a_follow_up(followups):
    assert chosen(followups, tracker_with("Who was in charge of it back then?", "nlu_fallback", language="en")) is None


@pytest.mark.parametrize("text, intent, action", [
    ("info sobre CGLU porfa", "help", "action_answer"),
    ("ميخلن", "nlu_fallback", "action_answer"),
    ("what can you do?", "help", None),
    ("is IOM hiring?", "out_of_scope", None),
    ("Eröffnungsfeier", "nlu_fallback", "action_agenda"),  # a session named alone: its card
])
def test_a_message_the_classifier_could_not_place_that_names_a_subject_is_about_it(followups, text, intent, action):
    assert chosen(followups, tracker_with(text, intent, language="en")) == action


@pytest.mark.parametrize("text, action", [
    ("hallo, ne frage zur Deklaration von Mechelen", "action_answer"),
    ("Servus, kurze Frage zu Mecheln", "action_answer"),
    ("hello UCLG", "action_answer"),
    ("goeiemorgen, ik zoek info over Mohamed Boussraoui", "action_answer"),  # asking for information
    ("Bonjour, je cherche des informations sur Maimunah Mohd Sharif", "action_answer"),
    ("hello", None),
    ("Hi, I'm with the city council of Ghent and I have been asked to attend", None),  # introduces the writer
])
def test_a_greeting_naming_a_subject_with_few_words_besides_is_answered_on_it(followups, text, action):
    assert chosen(followups, tracker_with(text, "greet", language="de")) == action


def unsure(text, intent, confidence, language):
    tracker = tracker_with(text, intent, language=language)
    tracker.latest_message.parse_data["intent"]["confidence"] = confidence
    return tracker


@pytest.mark.parametrize("text, intent, confidence, language, action", [
    ("Ich war noch nie in Mechelen.", "goodbye", 0.71, "de", "action_answer"),  # about the city
    ("Ik ken Mechelen nie goed eigenlijk", "acknowledge", 0.55, "nl", "action_answer"),
    ("Bye, see you in Mechelen!", "goodbye", 0.97, "en", None),  # the classifier is sure: a goodbye
    ("bye for now", "goodbye", 0.6, "en", None),  # names nothing
])
def test_a_goodbye_or_acknowledgement_the_classifier_doubts_that_names_a_subject_is_about_it(
    followups, text, intent, confidence, language, action
):
    assert chosen(followups, unsure(text, intent, confidence, language)) == action


def test_after_the_answer_the_assistant_listens(followups):
    tracker = after_un_habitat("Who was in charge of it back then?", "nlu_fallback")
    tracker.update(ActionExecuted("action_answer"))
    assert chosen(followups, tracker) == "action_listen"
    tracker.update(ActionExecuted("utter_default"))
    assert chosen(followups, tracker) is None
