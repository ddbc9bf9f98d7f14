from strata.convert.service import ConversionResult, convert_object

__all__ = ["ConversionResult", "convert_object"]
