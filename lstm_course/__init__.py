"""lstm_course: one small, verified numpy LSTM for the course "LSTM from scratch".

The parts, one folder each (imports run one way: a part uses only the parts listed before it):

    core/       what lessons 01-05 read: the parameters, activations, the readable LSTM,
                layers, the plain RNN, gradient checks, SymPy's σ
    articles/   each article's notation converted to and from the course's, and its chains
    hamlet/     lesson 06: the data, the fast training kernel, the character model,
                optimisers, checkpoints, training
    proofs/     SymPy: deciding zero, verify_gradient, article 001's symbolic cell, and the
                catalogue of proved gradients (it proves core.lstm and hamlet.kernel too)
    course.py   execute and render the lessons;  __main__.py  the command line
"""
__version__ = "0.1.0"
