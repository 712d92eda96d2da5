"""The articles' own notations, converted to and from the course's, and their chains.

    seo000       article 000 (Seo): eight split weights; two timestamps; the TS=1/TS=2 chains
    gomez002     article 002 (Gomez's numerical example): W, U, b in the row order a, i, f, o;
                 his backward lines in his symbols
    scalar003    article 003: the scalar cell without biases; its chain, over time too, and the
                 full dc_t/dc_{t-1}
    zoo004       article 004: its backward in its code's names (errors = minus the gradient)
    weights      the checks and shapes the three share
(Article 001's notation is the course's own; article 004 writes the same cell and layout.)
"""
