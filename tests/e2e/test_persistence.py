"""Conversations are stored in SQLite: a crash of the Rasa server loses nothing, and
`make run` starts it again by itself."""

from tests.e2e.replies import language_of


def test_conversation_survives_a_rasa_restart(servers, chat):
    conversation = chat()
    assert "Lamot" in conversation.say("Où se déroule la conférence ?")
    servers.restart_rasa()  # a crash: the supervisor of `make run` starts it again
    # The conversation language (French) was restored from the tracker store.
    reply = conversation.say("ok")
    assert reply
    assert language_of(reply) == "fr"
