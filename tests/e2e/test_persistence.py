"""Conversations are stored in SQLite: a restart of the Rasa server loses nothing."""

from tests.e2e.replies import language_of


def test_conversation_survives_a_rasa_restart(servers, chat):
    conversation = chat()
    assert "Lamot" in conversation.say("Où se déroule la conférence ?")
    servers.stop_rasa()
    servers.start_rasa()
    # The conversation language (French) was restored from the tracker store.
    reply = conversation.say("ok")
    assert reply
    assert language_of(reply) == "fr"
