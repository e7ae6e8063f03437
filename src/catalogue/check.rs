//! Range checks shared by the catalogue builders. Each returns the plain value
//! or an error that points at it.

use toml::Spanned;

use super::error::CatalogueError;
use super::files::FileText;
use crate::billing::money::Money;

/// Returns the number if it is finite and above zero.
pub(crate) fn positive_f64(
    value: &Spanned<f64>,
    field: &str,
    file: &FileText,
) -> Result<f64, CatalogueError> {
    let number = *value.get_ref();
    if number.is_finite() && number > 0.0 {
        return Ok(number);
    }
    Err(file.error_at(Some(value.span()), format!("`{field}` = {number}: must be above zero")))
}

/// Returns the count if it is above zero.
pub(crate) fn positive_u32(
    value: &Spanned<u32>,
    field: &str,
    file: &FileText,
) -> Result<u32, CatalogueError> {
    let count = *value.get_ref();
    if count > 0 {
        return Ok(count);
    }
    Err(file.error_at(Some(value.span()), format!("`{field}` = 0: must be above zero")))
}

/// Returns the price if it is above zero. Zero is rejected too: every price in
/// these files is a charge, so a zero is far more likely a slip than a fact.
pub(crate) fn positive_money(
    value: &Spanned<Money>,
    field: &str,
    file: &FileText,
) -> Result<Money, CatalogueError> {
    let price = *value.get_ref();
    if price > Money::ZERO {
        return Ok(price);
    }
    let shown = price.format_usd(12);
    Err(file.error_at(Some(value.span()), format!("`{field}` = \"{shown}\": must be above zero")))
}
