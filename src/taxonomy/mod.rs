//! Concepts, normalisation, Swedish levels, municipalities and licences.
