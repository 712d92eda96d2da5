"""SymPy proofs: every hand-derived gradient of the course is exactly the derivative.

    zero         deciding "identically zero" exactly and fast (atoms frozen, a polynomial ring)
    verify       verify_gradient(hand, loss, wrt), and the proof of σ's derivative rule
    cell         article 001's cell and backward in SymPy; the package's LSTMs run on symbols
    catalogue    every proved gradient with its articles and LaTeX; verify_catalogue()
"""
