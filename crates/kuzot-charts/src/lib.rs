//! kuzot-charts.
