//! Offered pay compared across currencies: a stated table of exchange rates into roubles,
//! and the rule that turns an offer into "roubles a month".
//!
//! Ads quote pay in RUB, USD, KGS, UZS, KZT or TJS, by the month, the day or the hour.
//! To put them on one axis (the dashboard's pay chart, the search filter "money ≥ X") every
//! offer is converted with one fixed, dated table, shown to the user beside every figure
//! it produced. A fixed table, not live rates: evidence is compared over months, and a
//! figure must not move because the rouble did on the day someone looked.

use serde::{Deserialize, Serialize};

use crate::{Money, MoneyRole, Period};

/// Roubles per unit of each currency, as of a stated date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateTable {
    /// The day the rates are taken from (ISO 8601), shown beside converted figures.
    pub as_of: String,
    /// Where the rates come from, shown beside converted figures.
    pub source: String,
    /// ISO 4217 code → roubles per one unit.
    pub rub_per_unit: Vec<(String, f64)>,
}

/// Working days assumed in a month when a daily rate is turned into a monthly one: rotation
/// work ("вахта") is paid for every day on site, so the month is counted as 30 days.
pub const DAYS_PER_MONTH: f64 = 30.0;
/// Hours assumed in a month when an hourly rate is turned into a monthly one (8 h × 30 days).
pub const HOURS_PER_MONTH: f64 = 240.0;

impl Default for RateTable {
    /// Rounded official rates of the Central Bank of Russia around mid-2025. Deployments
    /// set their own table in the settings (`[rates]`); this one keeps the examples honest.
    fn default() -> RateTable {
        RateTable {
            as_of: "2025-06-01".into(),
            source: "Bank of Russia official rates, rounded".into(),
            rub_per_unit: vec![
                ("RUB".into(), 1.0),
                ("USD".into(), 79.0),
                ("EUR".into(), 90.0),
                ("KGS".into(), 0.9),
                ("KZT".into(), 0.155),
                ("UZS".into(), 0.0062),
                ("TJS".into(), 8.0),
                ("CNY".into(), 11.0),
            ],
        }
    }
}

impl RateTable {
    /// Roubles per unit of `currency`, if the table has it.
    pub fn rate(&self, currency: &str) -> Option<f64> {
        self.rub_per_unit
            .iter()
            .find(|(code, _)| code.eq_ignore_ascii_case(currency))
            .map(|(_, rate)| *rate)
    }

    /// `amount` of `currency` in roubles.
    pub fn to_rub(&self, amount: f64, currency: &str) -> Option<f64> {
        self.rate(currency).map(|r| amount * r)
    }

    /// The offer as roubles a month, when it is a recurring wage: monthly as it is, daily
    /// × [`DAYS_PER_MONTH`], hourly × [`HOURS_PER_MONTH`]. One-time payments (sign-up
    /// bonuses, compensation) are not pay and give `None`; so does an unknown currency.
    /// A range counts at its upper end, which is what the ad advertises.
    pub fn monthly_rub(&self, money: &Money) -> Option<f64> {
        if matches!(
            money.role,
            Some(MoneyRole::LumpSum | MoneyRole::Compensation)
        ) {
            return None;
        }
        let factor = match money.period {
            Some(Period::Month) => 1.0,
            Some(Period::Day) => DAYS_PER_MONTH,
            Some(Period::Hour) => HOURS_PER_MONTH,
            Some(Period::OneTime) | None => return None,
        };
        let amount = money.max.or(money.min)?;
        // An amount whose currency is unknown (`None`) has no rate and is left out of pay
        // figures and charts; an inferred currency counts like a stated one.
        let rub = self.to_rub(amount, money.currency.as_deref()?)? * factor;
        (rub.is_finite() && rub > 0.0).then_some(rub)
    }

    /// The highest monthly pay in roubles among `money`, if any offer is a wage.
    pub fn best_monthly_rub<'a>(&self, money: impl IntoIterator<Item = &'a Money>) -> Option<f64> {
        money
            .into_iter()
            .filter_map(|m| self.monthly_rub(m))
            .fold(None, |best, v| Some(best.map_or(v, |b: f64| b.max(v))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    fn money(min: Option<f64>, max: Option<f64>, cur: &str, period: Option<Period>) -> Money {
        Money {
            min,
            max,
            currency: Some(cur.into()),
            currency_inferred: false,
            period,
            role: None,
            span: Span::default(),
        }
    }

    #[test]
    fn monthly_offers_are_converted_at_the_stated_rate() {
        let t = RateTable::default();
        let m = money(Some(2000.0), None, "usd", Some(Period::Month));
        assert_eq!(t.monthly_rub(&m), Some(158_000.0));
        let d = money(Some(5000.0), Some(7000.0), "RUB", Some(Period::Day));
        assert_eq!(t.monthly_rub(&d), Some(210_000.0));
    }

    #[test]
    fn one_time_payments_and_unknown_currencies_are_not_pay() {
        let t = RateTable::default();
        assert_eq!(
            t.monthly_rub(&money(Some(1.0e6), None, "RUB", Some(Period::OneTime))),
            None
        );
        assert_eq!(
            t.monthly_rub(&money(Some(100.0), None, "XYZ", Some(Period::Month))),
            None
        );
        let mut bonus = money(Some(1.0e6), None, "RUB", Some(Period::Month));
        bonus.role = Some(MoneyRole::LumpSum);
        assert_eq!(t.monthly_rub(&bonus), None);
        let offers = [
            money(Some(100_000.0), None, "RUB", Some(Period::Month)),
            money(Some(2_000.0), None, "USD", Some(Period::Month)),
        ];
        assert_eq!(t.best_monthly_rub(&offers), Some(158_000.0));
    }
}
