"""``port --to keras``: recognise the TF1 pipeline and write the Keras 3 program.

* :mod:`tools.porter.keras.recognize`: static analysis of the TF1 program (LibCST);
* :mod:`tools.porter.keras.writer`: the Keras 3 program, from the registry's Keras side.
"""
