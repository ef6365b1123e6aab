import {
  Checkbox,
  FormControlLabel,
  MenuItem,
  TextField,
} from '@material-ui/core';
import { OrderField } from './orderFields';

/** One input of the order form, as its schema field says. */
export function OrderFieldInput(props: {
  field: OrderField;
  value: unknown;
  error?: string;
  onChange: (value: unknown) => void;
}) {
  const { field, value, error, onChange } = props;
  if (field.kind === 'boolean') {
    return (
      <FormControlLabel
        control={
          <Checkbox
            checked={value === true}
            onChange={e => onChange(e.target.checked)}
          />
        }
        label={field.title}
      />
    );
  }
  return (
    <TextField
      fullWidth
      margin="normal"
      variant="outlined"
      id={`order-field-${field.name}`}
      label={field.title}
      required={field.required}
      select={field.kind === 'enum'}
      type={
        // eslint-disable-next-line no-nested-ternary
        field.secret
          ? 'password'
          : field.kind === 'number' || field.kind === 'integer'
          ? 'number'
          : 'text'
      }
      autoComplete={field.secret ? 'new-password' : undefined}
      value={value ?? ''}
      error={Boolean(error)}
      helperText={error ?? field.description}
      onChange={e => onChange(e.target.value)}
    >
      {field.options?.map(option => (
        <MenuItem key={option.value} value={option.value}>
          {option.label}
        </MenuItem>
      ))}
    </TextField>
  );
}
