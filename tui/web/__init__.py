"""``adl-sandbox serve``: the app in a browser, one app process per visitor.

``server`` answers the browser (the page, its websocket) on textual-serve's
machinery; ``visitor`` runs and ends one visitor's app; ``homes`` gives each visitor
a folder of their own; ``driver`` is the app's side of the pipe (Textual's web
driver, ending the app when the server is gone). Only ``driver`` runs in the app's
process, and only it may be imported without the ``web`` extra.
"""
