"""What Rasa loads by name: graph components (``config.yml``), channels
(``credentials.yml``), the tracker and lock stores (``endpoints.yml``), and the one
module that patches Rasa's internals (``patches``, applied by ``launcher``).

Only this layer imports Rasa. It may use ``bot.conversation``; it never imports
``bot.tools``.
"""
