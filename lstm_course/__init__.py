"""lstm_course: one small, verified numpy LSTM for the course "LSTM from scratch".

Modules:
    activations  stable sigmoid, tanh, softmax and their derivatives (both forms)
    lstm         init_params, forward, backward (the one LSTM implementation)
    layers       readout V_t = W_v h_t + b_v, softmax cross-entropy, half squared error
    gradcheck    centred finite differences and relative error
    symbolic     SymPy proofs: verify_gradient and the catalogue of hand-derived gradients
"""
__version__ = "0.1.0"
