"""The core a learner reads beside lessons 01-05.

    params       the gate order (GATES, defined once), init_params, check_params
    activations  stable sigmoid, tanh, softmax and their derivatives (both forms)
    lstm         the readable LSTM: step_forward/step_backward, one line per equation of
                 article 001; forward and backward as plain loops over them
    layers       readout V_t = W_v h_t + b_v, softmax cross-entropy, half squared error
    rnn          a plain tanh RNN, the baseline of lesson 04
    gradcheck    centred finite differences, relative error, a whole-LSTM check
    symbolic     SymPy's σ and symbols shaped as arrays: what lets this code run on symbols
    validation   the argument checks of the public entry points
"""
